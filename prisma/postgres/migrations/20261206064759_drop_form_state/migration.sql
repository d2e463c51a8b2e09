-- DropTable
DROP TABLE "FormState";

