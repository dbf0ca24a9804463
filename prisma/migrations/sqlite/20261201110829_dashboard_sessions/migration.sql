-- CreateTable
CREATE TABLE "DashboardLoginToken" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "tokenHash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "partnerId" INTEGER,
    "userId" INTEGER,
    "language" TEXT NOT NULL DEFAULT 'en',
    "expiresAt" DATETIME NOT NULL,
    "usedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "DashboardSession" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "tokenHash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "partnerId" INTEGER,
    "userId" INTEGER,
    "language" TEXT NOT NULL DEFAULT 'en',
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "DashboardStageDays" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "scope" TEXT NOT NULL,
    "stageId" TEXT NOT NULL,
    "medianDays" REAL NOT NULL,
    "sellers" INTEGER NOT NULL,
    "computedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "DashboardLoginToken_tokenHash_key" ON "DashboardLoginToken"("tokenHash");

-- CreateIndex
CREATE INDEX "DashboardLoginToken_expiresAt_idx" ON "DashboardLoginToken"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "DashboardSession_tokenHash_key" ON "DashboardSession"("tokenHash");

-- CreateIndex
CREATE INDEX "DashboardSession_expiresAt_idx" ON "DashboardSession"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "DashboardStageDays_scope_stageId_key" ON "DashboardStageDays"("scope", "stageId");

