-- CreateTable
CREATE TABLE "FormSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "state" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Continuation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "body" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "FormSession_expiresAt_idx" ON "FormSession"("expiresAt");

-- CreateIndex
CREATE INDEX "Continuation_expiresAt_idx" ON "Continuation"("expiresAt");

