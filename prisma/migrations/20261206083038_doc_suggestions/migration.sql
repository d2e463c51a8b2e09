-- CreateTable
CREATE TABLE "DocSuggestionChannel" (
    "surface" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL,
    "changedBy" TEXT NOT NULL,
    "changedAt" DATETIME NOT NULL,

    PRIMARY KEY ("surface", "channelId")
);

-- CreateTable
CREATE TABLE "DocSuggestionThread" (
    "surface" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "threadId" TEXT NOT NULL,
    "at" DATETIME NOT NULL,

    PRIMARY KEY ("surface", "channelId", "threadId")
);

-- CreateIndex
CREATE INDEX "DocSuggestionThread_at_idx" ON "DocSuggestionThread"("at");

