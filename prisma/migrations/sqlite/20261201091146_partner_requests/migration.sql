-- CreateTable
CREATE TABLE "PartnerRequest" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "userId" INTEGER NOT NULL,
    "partnerId" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "requestedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedAt" DATETIME,
    "decidedBy" INTEGER,
    CONSTRAINT "PartnerRequest_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "PartnerRequest_partnerId_fkey" FOREIGN KEY ("partnerId") REFERENCES "Partner" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "PartnerRequest_userId_status_idx" ON "PartnerRequest"("userId", "status");

-- CreateIndex
CREATE INDEX "PartnerRequest_partnerId_idx" ON "PartnerRequest"("partnerId");


-- Pending memberships from before PartnerRequest existed become requests with the same
-- partner. Their old admin buttons (pt:approve:<member id>) no longer approve anything.
INSERT INTO "PartnerRequest" ("userId", "partnerId", "status", "requestedAt")
SELECT "userId", "partnerId", 'pending', "requestedAt" FROM "PartnerMember" WHERE "status" = 'pending';
DELETE FROM "PartnerMember" WHERE "status" = 'pending';
