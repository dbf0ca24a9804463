-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_InboundMessage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "channel" TEXT NOT NULL,
    "externalMessageId" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "payload" TEXT,
    "handledAt" DATETIME,
    "claimedBy" TEXT,
    "leaseUntil" DATETIME,
    "attempts" INTEGER NOT NULL DEFAULT 0
);
INSERT INTO "new_InboundMessage" ("channel", "externalMessageId", "id", "receivedAt") SELECT "channel", "externalMessageId", "id", "receivedAt" FROM "InboundMessage";
DROP TABLE "InboundMessage";
ALTER TABLE "new_InboundMessage" RENAME TO "InboundMessage";
CREATE INDEX "InboundMessage_receivedAt_idx" ON "InboundMessage"("receivedAt");
CREATE INDEX "InboundMessage_handledAt_leaseUntil_idx" ON "InboundMessage"("handledAt", "leaseUntil");
CREATE UNIQUE INDEX "InboundMessage_channel_externalMessageId_key" ON "InboundMessage"("channel", "externalMessageId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


-- Rows written before the inbox were de-duplication ids of messages already handled.
UPDATE "InboundMessage" SET "handledAt" = "receivedAt" WHERE "handledAt" IS NULL;
