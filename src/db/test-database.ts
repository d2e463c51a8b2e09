/**
 * Real databases for integration tests: a SQLite file in a fresh temp dir always, and PostgreSQL at
 * 127.0.0.1:5432 when it answers, each test in its own schema (cb_test_<random>) dropped afterwards so
 * parallel test files never collide.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDatabase, type Database } from "./open-database.ts";
import type { Provider } from "./migrate.ts";

export const TEST_PG_URL = process.env.CALLBOARD_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

export async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    console.warn(`PostgreSQL not reachable at ${new URL(TEST_PG_URL).host}: skipping its suites`);
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A place for one test's database; `url` opens it, `drop` removes it. */
export interface TestTarget {
  provider: Provider;
  url: string;
  /** Open (and migrate) the database at this target. */
  open(): Promise<Database>;
  drop(): Promise<void>;
}

export function testTarget(provider: Provider): TestTarget {
  if (provider === "sqlite") {
    const dir = mkdtempSync(path.join(os.tmpdir(), "callboard-db-"));
    const url = `file:${path.join(dir, "callboard.db")}`;
    return {
      provider,
      url,
      open: () => openDatabase({ url }),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const schema = `cb_test_${randomBytes(6).toString("hex")}`;
  const parsed = new URL(TEST_PG_URL);
  parsed.searchParams.set("schema", schema);
  const url = parsed.toString();
  return {
    provider,
    url,
    open: () => openDatabase({ url }),
    drop: async () => {
      const client = new pg.Client({ connectionString: TEST_PG_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Providers to run a shared suite against, with the reason one is skipped. */
export async function providersUnderTest(): Promise<{ provider: Provider; available: boolean }[]> {
  return [
    { provider: "sqlite", available: true },
    { provider: "postgresql", available: await postgresAnswers() },
  ];
}
