/**
 * Applies Prisma migrations at start-up through the app's own driver adapter, so a new user never runs a
 * Prisma command. `prisma migrate deploy` cannot do this for us: over adapter-pg it fails to read
 * PostgreSQL's `name` columns (prisma/orm#27403). We keep Prisma's `_prisma_migrations` bookkeeping (same
 * table, sha256 checksums of migration.sql), so `prisma migrate status` agrees with what ran here.
 */
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";

export type Provider = "sqlite" | "postgresql";

export interface Migration {
  /** The folder name, e.g. 20260101120000_init; applied in name order. */
  name: string;
  sql: string;
  /** sha256 hex of migration.sql's bytes, as Prisma records it. */
  checksum: string;
}

/** The part of a Prisma driver adapter (SqlDriverAdapter) this module uses. */
export interface SqlQuery {
  sql: string;
  args: unknown[];
  argTypes: unknown[];
}
export interface Queryable {
  queryRaw(query: SqlQuery): Promise<{ columnNames: string[]; rows: unknown[][] }>;
  executeRaw(query: SqlQuery): Promise<number>;
}
export interface MigrationAdapter extends Queryable {
  executeScript(script: string): Promise<void>;
  startTransaction(): Promise<Queryable & { commit(): Promise<void>; rollback(): Promise<void> }>;
}

const prismaDir = fileURLToPath(new URL("../../prisma/", import.meta.url));
export const migrationsDir: Record<Provider, string> = {
  sqlite: path.join(prismaDir, "migrations"),
  postgresql: path.join(prismaDir, "postgres", "migrations"),
};

/** Prisma's own DDL for its bookkeeping table, per provider. */
const migrationsTableDdl: Record<Provider, string> = {
  sqlite: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`,
  postgresql: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`,
};

/** The advisory lock key Prisma Migrate itself takes on PostgreSQL, so we also exclude a concurrent CLI. */
const PG_MIGRATION_LOCK = 72707369;

export function readMigrations(dir: string): Migration[] {
  if (!existsSync(dir))
    throw new Error(`No migrations folder at ${dir}: this build of Callboard is incomplete.`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, "migration.sql")))
    .map((entry) => {
      const bytes = readFileSync(path.join(dir, entry.name, "migration.sql"));
      return {
        name: entry.name,
        sql: bytes.toString("utf8"),
        checksum: createHash("sha256").update(bytes).digest("hex"),
      };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Splits a migration script into statements, because prepared statements take one at a time. Semicolons
 * inside quotes, comments and PostgreSQL dollar-quoted bodies do not split.
 */
export function splitStatements(script: string): string[] {
  const statements: string[] = [];
  let current = "";
  let i = 0;
  const flush = () => {
    const withoutComments = current.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, "").trim();
    if (withoutComments) statements.push(current.trim());
    current = "";
  };
  while (i < script.length) {
    const ch = script[i]!;
    const rest = script.slice(i);
    let skip = 0;
    if (ch === "'" || ch === '"' || ch === "`") {
      const end = script.indexOf(ch, i + 1);
      skip = (end === -1 ? script.length : end + 1) - i;
    } else if (rest.startsWith("--")) {
      const end = script.indexOf("\n", i);
      skip = (end === -1 ? script.length : end) - i;
    } else if (rest.startsWith("/*")) {
      const end = script.indexOf("*/", i + 2);
      skip = (end === -1 ? script.length : end + 2) - i;
    } else if (ch === "$") {
      const tag = /^\$[A-Za-z_]*\$/.exec(rest)?.[0];
      if (tag) {
        const end = script.indexOf(tag, i + tag.length);
        skip = (end === -1 ? script.length : end + tag.length) - i;
      }
    } else if (ch === ";") {
      flush();
      i += 1;
      continue;
    }
    if (skip > 0) {
      current += script.slice(i, i + skip);
      i += skip;
    } else {
      current += ch;
      i += 1;
    }
  }
  flush();
  return statements;
}

const sql = (text: string): SqlQuery => ({ sql: text, args: [], argTypes: [] });

/** Values we inline are ours (uuid, hex, validated folder names, ISO times); still, quote them properly. */
const literal = (value: string | null): string =>
  value === null ? "NULL" : `'${value.replace(/'/g, "''")}'`;

/** ISO-8601 with +00:00, the text Prisma writes into SQLite DATETIME columns; PostgreSQL parses it too. */
const timestamp = (date: Date): string => date.toISOString().replace("Z", "+00:00");

interface AppliedRow {
  name: string;
  checksum: string;
  finished: boolean;
  rolledBack: boolean;
}

async function appliedRows(db: Queryable): Promise<AppliedRow[]> {
  const result = await db.queryRaw(
    sql(`SELECT "migration_name", "checksum", "finished_at", "rolled_back_at" FROM "_prisma_migrations"`),
  );
  return result.rows.map((row) => ({
    name: String(row[0]),
    checksum: String(row[1]),
    finished: row[2] !== null,
    rolledBack: row[3] !== null,
  }));
}

/**
 * Runs `work` in one transaction that also excludes other processes migrating the same database: the
 * PostgreSQL advisory lock Prisma uses, or SQLite's write lock taken up front (BEGIN IMMEDIATE).
 */
async function inMigrationTransaction<T>(
  adapter: MigrationAdapter,
  provider: Provider,
  work: (db: Queryable) => Promise<T>,
): Promise<T> {
  if (provider === "sqlite") {
    // One better-sqlite3 connection, used by nobody else during start-up: plain statements are the transaction.
    await adapter.executeScript("BEGIN IMMEDIATE");
    try {
      const result = await work(adapter);
      await adapter.executeScript("COMMIT");
      return result;
    } catch (error) {
      await adapter.executeScript("ROLLBACK").catch(() => undefined);
      throw error;
    }
  }
  const tx = await adapter.startTransaction();
  try {
    await tx.executeRaw(sql(`SELECT pg_advisory_xact_lock(${PG_MIGRATION_LOCK})`));
    const result = await work(tx);
    await tx.executeRaw(sql("COMMIT"));
    await tx.commit();
    return result;
  } catch (error) {
    await tx.executeRaw(sql("ROLLBACK")).catch(() => undefined);
    await tx.rollback().catch(() => undefined);
    throw error;
  }
}

export interface MigrateOptions {
  provider: Provider;
  /** Defaults to the migrations shipped in prisma/ for the provider. */
  migrations?: Migration[];
  /** Names the database in error messages (a file path or a URL without credentials). */
  describe: string;
  log?: Logger;
}

/**
 * Applies every pending migration, each in its own transaction with its `_prisma_migrations` row, so a
 * failing migration leaves the database as it was before it. Refuses to start against a database that has
 * a migration this build does not know (a newer Callboard ran on it) or a failed one. Returns what it applied.
 */
export async function migrate(adapter: MigrationAdapter, options: MigrateOptions): Promise<string[]> {
  const { provider, describe, log } = options;
  const migrations = options.migrations ?? readMigrations(migrationsDir[provider]);
  if (provider === "sqlite") {
    // Prisma's SQLite scripts redefine tables (copy, drop, rename); with foreign keys enforced, dropping the
    // old parent table would cascade-delete children. The check below, before COMMIT, keeps integrity.
    await adapter.executeScript("PRAGMA foreign_keys = OFF");
  }
  await inMigrationTransaction(adapter, provider, (db) => db.executeRaw(sql(migrationsTableDdl[provider])));

  const known = new Map(migrations.map((m) => [m.name, m]));
  const rows = await appliedRows(adapter);
  const failed = rows.find((row) => !row.finished && !row.rolledBack);
  if (failed) {
    throw new Error(
      `Database ${describe}: migration ${failed.name} started but did not finish (see its "logs" in ` +
        `_prisma_migrations). Repair the database by hand, then mark it rolled back with ` +
        `\`npx prisma migrate resolve --rolled-back ${failed.name}\` and start Callboard again.`,
    );
  }
  const unknown = rows.filter((row) => row.finished && !row.rolledBack && !known.has(row.name));
  if (unknown.length > 0) {
    throw new Error(
      `Database ${describe} has migration ${unknown.map((r) => r.name).join(", ")}, which this build of ` +
        `Callboard does not know: a newer version has used it. Upgrade Callboard, or point DATABASE_URL at ` +
        `another database.`,
    );
  }
  const done = new Set(rows.filter((row) => row.finished && !row.rolledBack).map((row) => row.name));
  for (const row of rows) {
    const local = known.get(row.name);
    if (local && done.has(row.name) && local.checksum !== row.checksum) {
      log?.warn(
        { migration: row.name },
        `migration ${row.name} was edited after it was applied to ${describe}; the edit is not re-applied`,
      );
    }
  }

  const applied: string[] = [];
  for (const migration of migrations) {
    if (done.has(migration.name)) continue;
    const ran = await inMigrationTransaction(adapter, provider, async (db) => {
      // Another replica may have applied it while we waited for the lock.
      const again = await db.queryRaw(
        sql(
          `SELECT 1 FROM "_prisma_migrations" WHERE "migration_name" = ${literal(migration.name)} ` +
            `AND "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`,
        ),
      );
      if (again.rows.length > 0) return false;
      const startedAt = timestamp(new Date());
      for (const statement of splitStatements(migration.sql)) {
        try {
          await db.executeRaw(sql(statement));
        } catch (error) {
          throw new Error(
            `Database ${describe}: migration ${migration.name} failed, nothing of it was applied: ` +
              `${error instanceof Error ? error.message : String(error)}\nStatement: ${statement}`,
            { cause: error },
          );
        }
      }
      if (provider === "sqlite") {
        const violations = await db.queryRaw(sql("PRAGMA foreign_key_check"));
        if (violations.rows.length > 0) {
          throw new Error(
            `Database ${describe}: migration ${migration.name} would break ${violations.rows.length} foreign ` +
              `key(s) (first in table ${String(violations.rows[0]?.[0])}); nothing of it was applied.`,
          );
        }
      }
      await db.executeRaw(
        sql(
          `INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "logs", ` +
            `"rolled_back_at", "started_at", "applied_steps_count") VALUES (${literal(randomUUID())}, ` +
            `${literal(migration.checksum)}, ${literal(timestamp(new Date()))}, ${literal(migration.name)}, ` +
            `NULL, NULL, ${literal(startedAt)}, 1)`,
        ),
      );
      return true;
    });
    if (ran) {
      applied.push(migration.name);
      log?.info({ migration: migration.name }, `applied migration ${migration.name} to ${describe}`);
    }
  }
  if (provider === "sqlite") await adapter.executeScript("PRAGMA foreign_keys = ON");
  return applied;
}
