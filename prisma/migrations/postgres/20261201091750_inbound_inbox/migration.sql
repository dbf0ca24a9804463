-- AlterTable
ALTER TABLE "InboundMessage" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "claimedBy" TEXT,
ADD COLUMN     "handledAt" TIMESTAMP(3),
ADD COLUMN     "leaseUntil" TIMESTAMP(3),
ADD COLUMN     "payload" TEXT;

-- CreateIndex
CREATE INDEX "InboundMessage_handledAt_leaseUntil_idx" ON "InboundMessage"("handledAt", "leaseUntil");


-- Rows written before the inbox were de-duplication ids of messages already handled.
UPDATE "InboundMessage" SET "handledAt" = "receivedAt" WHERE "handledAt" IS NULL;
