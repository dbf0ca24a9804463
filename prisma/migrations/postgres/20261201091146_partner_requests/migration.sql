-- CreateTable
CREATE TABLE "PartnerRequest" (
    "id" SERIAL NOT NULL,
    "userId" INTEGER NOT NULL,
    "partnerId" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "requestedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedAt" TIMESTAMP(3),
    "decidedBy" INTEGER,

    CONSTRAINT "PartnerRequest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PartnerRequest_userId_status_idx" ON "PartnerRequest"("userId", "status");

-- CreateIndex
CREATE INDEX "PartnerRequest_partnerId_idx" ON "PartnerRequest"("partnerId");

-- AddForeignKey
ALTER TABLE "PartnerRequest" ADD CONSTRAINT "PartnerRequest_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PartnerRequest" ADD CONSTRAINT "PartnerRequest_partnerId_fkey" FOREIGN KEY ("partnerId") REFERENCES "Partner"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Pending memberships from before PartnerRequest existed become requests with the same
-- partner. Their old admin buttons (pt:approve:<member id>) no longer approve anything.
INSERT INTO "PartnerRequest" ("userId", "partnerId", "status", "requestedAt")
SELECT "userId", "partnerId", 'pending', "requestedAt" FROM "PartnerMember" WHERE "status" = 'pending';
DELETE FROM "PartnerMember" WHERE "status" = 'pending';
