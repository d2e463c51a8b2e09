-- AlterTable
ALTER TABLE "ProcessedEvent" ADD COLUMN     "state" TEXT NOT NULL DEFAULT 'done',
ADD COLUMN     "token" TEXT NOT NULL DEFAULT '';

