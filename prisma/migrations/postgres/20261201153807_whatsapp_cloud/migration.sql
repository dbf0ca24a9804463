-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN     "deliveredAt" TIMESTAMP(3),
ADD COLUMN     "platformMessageId" TEXT,
ADD COLUMN     "readAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "WhatsAppCloudWindow" (
    "waId" TEXT NOT NULL,
    "lastInboundAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WhatsAppCloudWindow_pkey" PRIMARY KEY ("waId")
);

-- CreateIndex
CREATE INDEX "OutboxMessage_platformMessageId_idx" ON "OutboxMessage"("platformMessageId");

