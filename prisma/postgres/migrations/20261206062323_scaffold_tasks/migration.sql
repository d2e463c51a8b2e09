-- CreateTable
CREATE TABLE "ScaffoldTask" (
    "id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "templateRef" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "spec" TEXT NOT NULL,
    "secrets" TEXT,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "claimedBy" TEXT,
    "claimToken" TEXT,
    "heartbeatAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "cancelRequestedAt" TIMESTAMP(3),
    "retryRequestedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "error" TEXT,
    "output" TEXT,

    CONSTRAINT "ScaffoldTask_pkey" PRIMARY KEY ("id")
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
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ScaffoldTaskStep_pkey" PRIMARY KEY ("taskId","stepId")
);

-- CreateTable
CREATE TABLE "ScaffoldTaskEvent" (
    "id" SERIAL NOT NULL,
    "taskId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "stepId" TEXT,
    "type" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "status" TEXT,

    CONSTRAINT "ScaffoldTaskEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ScaffoldTaskCheckpoint" (
    "taskId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "record" TEXT NOT NULL,

    CONSTRAINT "ScaffoldTaskCheckpoint_pkey" PRIMARY KEY ("taskId","key")
);

-- CreateIndex
CREATE INDEX "ScaffoldTask_status_createdAt_idx" ON "ScaffoldTask"("status", "createdAt");

-- CreateIndex
CREATE INDEX "ScaffoldTask_createdBy_createdAt_idx" ON "ScaffoldTask"("createdBy", "createdAt");

-- CreateIndex
CREATE INDEX "ScaffoldTaskEvent_taskId_id_idx" ON "ScaffoldTaskEvent"("taskId", "id");

-- AddForeignKey
ALTER TABLE "ScaffoldTaskStep" ADD CONSTRAINT "ScaffoldTaskStep_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "ScaffoldTask"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScaffoldTaskEvent" ADD CONSTRAINT "ScaffoldTaskEvent_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "ScaffoldTask"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScaffoldTaskCheckpoint" ADD CONSTRAINT "ScaffoldTaskCheckpoint_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "ScaffoldTask"("id") ON DELETE CASCADE ON UPDATE CASCADE;

