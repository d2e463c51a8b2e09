-- CreateTable
CREATE TABLE "ScaffoldTask" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "status" TEXT NOT NULL,
    "templateRef" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "spec" TEXT NOT NULL,
    "secrets" TEXT,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "claimedBy" TEXT,
    "claimToken" TEXT,
    "heartbeatAt" DATETIME,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "cancelRequestedAt" DATETIME,
    "retryRequestedAt" DATETIME,
    "finishedAt" DATETIME,
    "error" TEXT,
    "output" TEXT
);

-- CreateTable
CREATE TABLE "ScaffoldTaskStep" (
    "taskId" TEXT NOT NULL,
    "stepId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "output" TEXT,
    "sealedOutput" TEXT,
    "reason" TEXT,
    "workspace" TEXT,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("taskId", "stepId"),
    CONSTRAINT "ScaffoldTaskStep_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "ScaffoldTask" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ScaffoldTaskEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "taskId" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "stepId" TEXT,
    "type" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "status" TEXT,
    CONSTRAINT "ScaffoldTaskEvent_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "ScaffoldTask" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ScaffoldTaskCheckpoint" (
    "taskId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "record" TEXT NOT NULL,

    PRIMARY KEY ("taskId", "key"),
    CONSTRAINT "ScaffoldTaskCheckpoint_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "ScaffoldTask" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "ScaffoldTask_status_createdAt_idx" ON "ScaffoldTask"("status", "createdAt");

-- CreateIndex
CREATE INDEX "ScaffoldTask_createdBy_createdAt_idx" ON "ScaffoldTask"("createdBy", "createdAt");

-- CreateIndex
CREATE INDEX "ScaffoldTaskEvent_taskId_id_idx" ON "ScaffoldTaskEvent"("taskId", "id");

