-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ProcessedEvent" (
    "source" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'done',
    "token" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("source", "eventId")
);
INSERT INTO "new_ProcessedEvent" ("createdAt", "eventId", "source") SELECT "createdAt", "eventId", "source" FROM "ProcessedEvent";
DROP TABLE "ProcessedEvent";
ALTER TABLE "new_ProcessedEvent" RENAME TO "ProcessedEvent";
CREATE INDEX "ProcessedEvent_createdAt_idx" ON "ProcessedEvent"("createdAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

