-- AlterTable
ALTER TABLE "ScaffoldTask" ADD COLUMN     "wakeAt" TIMESTAMP(3),
ADD COLUMN     "wakeRequestedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "ScaffoldApproval" (
    "id" TEXT NOT NULL,
    "taskId" TEXT NOT NULL,
    "stepId" TEXT NOT NULL,
    "groupRef" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "deadline" TIMESTAMP(3),
    "messageRef" TEXT,
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ScaffoldApproval_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ScaffoldApproval_taskId_stepId_createdAt_idx" ON "ScaffoldApproval"("taskId", "stepId", "createdAt");

