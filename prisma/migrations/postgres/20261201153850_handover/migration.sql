-- CreateTable
CREATE TABLE "Handover" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "sellerId" INTEGER NOT NULL,
    "openSellerId" INTEGER,
    "partnerId" INTEGER,
    "aboutPartnerId" INTEGER,
    "reason" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "channel" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "openedAt" TIMESTAMP(3) NOT NULL,
    "lastActivityAt" TIMESTAMP(3) NOT NULL,
    "pickupDueAt" TIMESTAMP(3) NOT NULL,
    "pickedUpAt" TIMESTAMP(3),
    "staffUserId" INTEGER,
    "escalatedAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "closedReason" TEXT,
    "closedBy" INTEGER,
    "lastMessage" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "Handover_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "HandoverNotice" (
    "id" SERIAL NOT NULL,
    "handoverId" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "HandoverNotice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "HandoverDelivery" (
    "id" SERIAL NOT NULL,
    "handoverId" INTEGER NOT NULL,
    "userId" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "audience" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "notBefore" TIMESTAMP(3) NOT NULL,
    "claimedAt" TIMESTAMP(3),
    "claimedBy" TEXT,
    "sentAt" TIMESTAMP(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "HandoverDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RecentMessage" (
    "id" SERIAL NOT NULL,
    "userId" INTEGER NOT NULL,
    "author" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RecentMessage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Handover_code_key" ON "Handover"("code");

-- CreateIndex
CREATE UNIQUE INDEX "Handover_openSellerId_key" ON "Handover"("openSellerId");

-- CreateIndex
CREATE INDEX "Handover_status_lastActivityAt_idx" ON "Handover"("status", "lastActivityAt");

-- CreateIndex
CREATE INDEX "Handover_status_pickupDueAt_idx" ON "Handover"("status", "pickupDueAt");

-- CreateIndex
CREATE INDEX "Handover_partnerId_status_idx" ON "Handover"("partnerId", "status");

-- CreateIndex
CREATE INDEX "HandoverNotice_handoverId_idx" ON "HandoverNotice"("handoverId");

-- CreateIndex
CREATE UNIQUE INDEX "HandoverNotice_channel_chatId_messageId_key" ON "HandoverNotice"("channel", "chatId", "messageId");

-- CreateIndex
CREATE INDEX "HandoverDelivery_status_notBefore_idx" ON "HandoverDelivery"("status", "notBefore");

-- CreateIndex
CREATE INDEX "HandoverDelivery_handoverId_idx" ON "HandoverDelivery"("handoverId");

-- CreateIndex
CREATE INDEX "RecentMessage_userId_id_idx" ON "RecentMessage"("userId", "id");

-- CreateIndex
CREATE INDEX "RecentMessage_at_idx" ON "RecentMessage"("at");

