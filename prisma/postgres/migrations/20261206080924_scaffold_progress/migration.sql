-- AlterTable
ALTER TABLE "ScaffoldTask" ADD COLUMN     "progressRef" TEXT;

-- AlterTable
ALTER TABLE "ScaffoldTaskStep" ADD COLUMN     "startedAt" TIMESTAMP(3);

