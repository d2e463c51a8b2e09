-- DropTable
PRAGMA foreign_keys=off;
DROP TABLE "ChatUserLink";
PRAGMA foreign_keys=on;

