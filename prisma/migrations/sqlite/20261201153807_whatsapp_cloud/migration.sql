-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN "deliveredAt" DATETIME;
ALTER TABLE "OutboxMessage" ADD COLUMN "platformMessageId" TEXT;
ALTER TABLE "OutboxMessage" ADD COLUMN "readAt" DATETIME;

-- CreateTable
CREATE TABLE "WhatsAppCloudWindow" (
    "waId" TEXT NOT NULL PRIMARY KEY,
    "lastInboundAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "OutboxMessage_platformMessageId_idx" ON "OutboxMessage"("platformMessageId");

