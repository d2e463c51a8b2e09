-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ScaffoldApproval" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "taskId" TEXT NOT NULL,
    "stepId" TEXT NOT NULL,
    "groupRef" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "deadline" DATETIME,
    "messageRef" TEXT,
    "decidedBy" TEXT,
    "decidedAt" DATETIME,
    "createdAt" DATETIME NOT NULL,
    "allowSelfApproval" BOOLEAN NOT NULL DEFAULT false
);
INSERT INTO "new_ScaffoldApproval" ("createdAt", "deadline", "decidedAt", "decidedBy", "groupRef", "id", "message", "messageRef", "status", "stepId", "taskId") SELECT "createdAt", "deadline", "decidedAt", "decidedBy", "groupRef", "id", "message", "messageRef", "status", "stepId", "taskId" FROM "ScaffoldApproval";
DROP TABLE "ScaffoldApproval";
ALTER TABLE "new_ScaffoldApproval" RENAME TO "ScaffoldApproval";
CREATE INDEX "ScaffoldApproval_taskId_stepId_createdAt_idx" ON "ScaffoldApproval"("taskId", "stepId", "createdAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

