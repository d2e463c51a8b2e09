import { mkdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import type { Logger } from "pino";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqlitePrismaClient } from "../generated/prisma/sqlite/client.ts";
import { PrismaClient as PostgresPrismaClient } from "../generated/prisma/postgresql/client.ts";
import { migrate, type MigrationAdapter, type Provider } from "./migrate.ts";
import { listenPostgres, type Listening } from "./pg-listen.ts";

/**
 * The client every store uses, whichever database is behind it. Both generated clients come from the same
 * datamodel (prisma/postgres/schema.prisma is generated from prisma/schema.prisma and a test fails when
 * they drift), so their model APIs are the same; they differ only in filters PostgreSQL adds (such as
 * `mode: "insensitive"`), which SQLite lacks. Typing the shared surface as the SQLite client therefore
 * allows exactly what works on both, and the PostgreSQL client is cast to it once, here.
 */
export type PrismaDb = SqlitePrismaClient;

/** Prisma's driver adapter: raw SQL and transactions on the client's own connection(s). */
export type DriverAdapter = MigrationAdapter;

export interface Database {
  provider: Provider;
  prisma: PrismaDb;
  /**
   * The driver adapter under `prisma` (the same SQLite connection, with its pragmas; the same PostgreSQL
   * pool). For bulk paths only: every query through the client passes its arguments and results through
   * Prisma's query compiler, which for a catalog import (tens of MB of JSON parameters) cost more CPU than
   * the database's own work. Transactions here share the adapter's lock with the client's.
   */
  driver(): Promise<DriverAdapter>;
  /**
   * PostgreSQL only: call `onNotify` on every NOTIFY on `channel` (and after each reconnect, since NOTIFY is
   * lost while disconnected), on a connection of its own. SQLite has no notifications: poll instead.
   */
  listen?(channel: string, onNotify: () => void): Promise<Listening>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** DATABASE_URL: postgres(ql)://... selects PostgreSQL (schema from `?schema=`); `file:` or a path, SQLite. */
  url?: string;
  /** The SQLite file when `url` does not name one. Default ./data/callboard.db. */
  sqlitePath?: string;
  log?: Logger;
}

export const DEFAULT_SQLITE_PATH = "./data/callboard.db";
/** How long a SQLite writer waits for another's lock before failing with SQLITE_BUSY. */
const SQLITE_BUSY_TIMEOUT_MS = 5_000;

export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url);
}

/** Opens the database and brings its schema up to date (migrations are applied before this returns). */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  return isPostgresUrl(options.url) ? openPostgres(options.url, options.log) : openSqlite(options);
}

/**
 * Hands `factory` to the client while keeping the adapter it connects, so `Database.driver()` can return
 * it. Prisma connects once per client (again after a $disconnect), so the latest connection is the one.
 */
function sharedFactory<F extends { provider: string; adapterName: string; connect(): Promise<unknown> }>(
  factory: F,
  prismaClient: () => { $connect(): Promise<void> },
): { factory: F; driver: () => Promise<DriverAdapter> } {
  let current: DriverAdapter | undefined;
  const shared = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => (current = (await factory.connect()) as DriverAdapter),
  };
  return {
    factory: shared as unknown as F,
    driver: async () => {
      await prismaClient().$connect();
      return current!;
    },
  };
}

async function applyMigrations(
  factory: { connect(): Promise<unknown> },
  provider: Provider,
  describe: string,
  log: Logger | undefined,
  prepare?: (adapter: MigrationAdapter) => Promise<void>,
): Promise<void> {
  const adapter = (await factory.connect()) as MigrationAdapter & { dispose(): Promise<void> };
  try {
    await prepare?.(adapter);
    await migrate(adapter, { provider, describe, log });
  } finally {
    await adapter.dispose();
  }
}

async function openSqlite(options: OpenDatabaseOptions): Promise<Database> {
  const given = options.url && options.url.trim() !== "" ? options.url : undefined;
  const file = path.resolve(
    given ? given.replace(/^file:(\/\/)?/, "") : (options.sqlitePath ?? DEFAULT_SQLITE_PATH),
  );
  mkdirSync(path.dirname(file), { recursive: true });
  const factory = new PrismaBetterSQLite3({ url: file, timeout: SQLITE_BUSY_TIMEOUT_MS });
  try {
    await applyMigrations(factory, "sqlite", file, options.log, async (adapter) => {
      // WAL lets readers proceed while the catalog is being replaced; the mode is stored in the file.
      await adapter.executeScript("PRAGMA journal_mode = WAL");
    });
  } catch (error) {
    throw sqliteOpenError(file, error);
  }
  const shared = sharedFactory(factory, () => prisma);
  const prisma: SqlitePrismaClient = new SqlitePrismaClient({ adapter: shared.factory });
  // Per-connection settings; better-sqlite3 builds with foreign keys on, we say so rather than rely on it.
  // NORMAL is durable across application crashes in WAL mode and much faster than FULL.
  await prisma.$executeRawUnsafe("PRAGMA foreign_keys = ON");
  await prisma.$executeRawUnsafe("PRAGMA synchronous = NORMAL");
  // 64 MB page cache (default 2 MB): a 100k-entity import touches indexes far larger than the default.
  await prisma.$executeRawUnsafe("PRAGMA cache_size = -65536");
  options.log?.info({ provider: "sqlite", file }, "database ready");
  return { provider: "sqlite", prisma, driver: shared.driver, close: () => prisma.$disconnect() };
}

function sqliteOpenError(file: string, error: unknown): Error {
  if (error instanceof Error && /migration|Database /.test(error.message)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(
    `Cannot open the SQLite database ${file}: ${reason}. Check that the folder is writable, or set ` +
      `DATABASE_URL to another file.`,
    { cause: error },
  );
}

/** `?schema=` selects the PostgreSQL schema (default public), as in Prisma's own URLs. */
export function parsePostgresUrl(url: string): {
  connectionString: string;
  schema: string;
  describe: string;
} {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get("schema") ?? "public";
  parsed.searchParams.delete("schema");
  const describe = `${parsed.protocol}//${parsed.host}${parsed.pathname} (schema ${schema})`;
  return { connectionString: parsed.toString(), schema, describe };
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function openPostgres(url: string, log: Logger | undefined): Promise<Database> {
  const { connectionString, schema, describe } = parsePostgresUrl(url);
  // search_path makes the migration scripts (which name tables unqualified) and raw queries use the schema;
  // the adapter's `schema` option does the same for the client's generated queries.
  const pool = new pg.Pool({ connectionString, options: `-c search_path=${quoteIdent(schema)}` });
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  } catch (error) {
    await pool.end();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Cannot reach PostgreSQL at ${describe}: ${reason}. Check DATABASE_URL and that the server runs.`,
      {
        cause: error,
      },
    );
  }
  const factory = new PrismaPg(pool, { schema });
  try {
    await applyMigrations(factory, "postgresql", describe, log);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const shared = sharedFactory(factory, () => prisma);
  const prisma: PrismaDb = new PostgresPrismaClient({ adapter: shared.factory }) as unknown as PrismaDb;
  log?.info({ provider: "postgresql", database: describe }, "database ready");
  return {
    provider: "postgresql",
    prisma,
    driver: shared.driver,
    listen: (channel, onNotify) => listenPostgres(connectionString, channel, onNotify, log),
    close: async () => {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
