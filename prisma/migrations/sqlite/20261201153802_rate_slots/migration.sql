-- CreateTable
CREATE TABLE "RateSlot" (
    "key" TEXT NOT NULL,
    "slot" INTEGER NOT NULL,
    "at" BIGINT NOT NULL,
    "windowMs" INTEGER NOT NULL,

    PRIMARY KEY ("key", "slot")
);

-- CreateIndex
CREATE INDEX "RateSlot_key_at_idx" ON "RateSlot"("key", "at");

