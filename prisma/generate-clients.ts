/**
 * Generates both Prisma clients into src/generated/prisma/<provider>/ (git-ignored). Run by postinstall, so a
 * fresh clone is ready after `npm install`.
 */
import { runPrisma } from "./prisma-cli.ts";

runPrisma("sqlite", ["generate", "--schema", "prisma/schema.prisma"]);
runPrisma("postgresql", ["generate", "--schema", "prisma/postgres/schema.prisma"]);
