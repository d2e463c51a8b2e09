-- DropTable
PRAGMA foreign_keys=off;
DROP TABLE "FormState";
PRAGMA foreign_keys=on;

