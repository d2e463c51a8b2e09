/**
 * Writes prisma/postgres/schema.prisma from prisma/schema.prisma (the source of truth): same models, the
 * PostgreSQL provider, its own generated client. Run with `npm run db:schema`; a test fails when the two drift.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const prismaDir = path.dirname(fileURLToPath(import.meta.url));
export const sqliteSchemaPath = path.join(prismaDir, "schema.prisma");
export const postgresSchemaPath = path.join(prismaDir, "postgres", "schema.prisma");

const header = `// GENERATED from prisma/schema.prisma by prisma/generate-postgres-schema.ts (npm run db:schema).
// Do not edit: change prisma/schema.prisma and regenerate.
`;

function replaceOnce(text: string, pattern: RegExp, replacement: string, what: string): string {
  if (!pattern.test(text)) {
    throw new Error(
      `prisma/schema.prisma: cannot find ${what} (expected to match ${pattern}); fix the schema.`,
    );
  }
  return text.replace(pattern, replacement);
}

/** The PostgreSQL schema for a SQLite schema text. Models are shared verbatim; only the plumbing differs. */
export function postgresSchemaFrom(sqliteSchema: string): string {
  let text = sqliteSchema.replace(/^(\/\/[^\n]*\n)+\n?/, "");
  text = replaceOnce(text, /provider(\s*)=(\s*)"sqlite"/, 'provider$1=$2"postgresql"', 'provider = "sqlite"');
  text = replaceOnce(
    text,
    /output(\s*)=(\s*)"\.\.\/src\/generated\/prisma\/sqlite"/,
    'output$1=$2"../../src/generated/prisma/postgresql"',
    'output = "../src/generated/prisma/sqlite"',
  );
  return header + "\n" + text;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(postgresSchemaPath, postgresSchemaFrom(readFileSync(sqliteSchemaPath, "utf8")));
  console.log(`wrote ${path.relative(process.cwd(), postgresSchemaPath)}`);
}
