import { mkdirSync } from "node:fs";
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";

// The Prisma CLI runs on its JS engine through the same driver adapters the app uses, so it needs no
// downloaded binary. DATABASE_URL picks the provider: postgres(ql):// selects PostgreSQL and its generated
// schema; anything else is a SQLite file. The app itself never runs the CLI: it applies migrations at
// start-up (src/db/migrate.ts).
// The schema's `url = env("DATABASE_URL")` must resolve, or the CLI falls back to downloading an engine
// (which fails offline), so a plain `prisma generate` gets the default SQLite file.
process.env.DATABASE_URL ||= "file:./data/callboard.db";
const url = process.env.DATABASE_URL;
const postgres = /^postgres(ql)?:\/\//.test(url);

export default defineConfig({
  engine: "js",
  experimental: { adapter: true },
  schema: postgres ? "prisma/postgres/schema.prisma" : "prisma/schema.prisma",
  migrations: { path: postgres ? "prisma/postgres/migrations" : "prisma/migrations" },
  async adapter() {
    if (postgres) {
      // Same connection set-up as the app (src/db/open-database.ts): the schema via search_path.
      const parsed = new URL(url);
      const schema = parsed.searchParams.get("schema") ?? "public";
      parsed.searchParams.delete("schema");
      const options = `-c search_path="${schema.replace(/"/g, '""')}"`;
      return new PrismaPg({ connectionString: parsed.toString(), options }, { schema });
    }
    const file = url.startsWith("file:") ? url.slice("file:".length) : url;
    // Even datamodel-only commands (migrate diff) open the adapter, and SQLite cannot create the folder.
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    return new PrismaBetterSQLite3({ url: path.resolve(file) });
  },
});
