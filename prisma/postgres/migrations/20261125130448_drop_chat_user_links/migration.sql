-- DropTable
DROP TABLE "ChatUserLink";

