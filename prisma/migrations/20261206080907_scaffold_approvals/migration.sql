-- AlterTable
ALTER TABLE "ScaffoldTask" ADD COLUMN "wakeAt" DATETIME;
ALTER TABLE "ScaffoldTask" ADD COLUMN "wakeRequestedAt" DATETIME;

-- CreateTable
CREATE TABLE "ScaffoldApproval" (
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
    "createdAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "ScaffoldApproval_taskId_stepId_createdAt_idx" ON "ScaffoldApproval"("taskId", "stepId", "createdAt");

