-- AlterTable
ALTER TABLE "ScaffoldApproval" ADD COLUMN     "allowSelfApproval" BOOLEAN NOT NULL DEFAULT false;

