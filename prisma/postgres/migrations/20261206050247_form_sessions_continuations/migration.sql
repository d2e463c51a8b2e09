-- CreateTable
CREATE TABLE "FormSession" (
    "id" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FormSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Continuation" (
    "id" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Continuation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "FormSession_expiresAt_idx" ON "FormSession"("expiresAt");

-- CreateIndex
CREATE INDEX "Continuation_expiresAt_idx" ON "Continuation"("expiresAt");

