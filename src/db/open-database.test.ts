import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { migrate, migrationsDir, readMigrations, splitStatements, type MigrationAdapter } from "./migrate.ts";
import { openDatabase, parsePostgresUrl, type DriverAdapter } from "./open-database.ts";
import { providersUnderTest, testTarget, type TestTarget } from "./test-database.ts";

describe("splitStatements", () => {
  it("splits on semicolons outside quotes, comments and dollar-quoted bodies", () => {
    const script = `-- a; comment\nCREATE TABLE "a;b" (x TEXT DEFAULT 'x;y');\n/* c; */ INSERT INTO t VALUES (1);\nCREATE FUNCTION f() AS $$ BEGIN; END $$;\n-- trailing only`;
    expect(splitStatements(script)).toEqual([
      `-- a; comment\nCREATE TABLE "a;b" (x TEXT DEFAULT 'x;y')`,
      `/* c; */ INSERT INTO t VALUES (1)`,
      `CREATE FUNCTION f() AS $$ BEGIN; END $$`,
    ]);
  });
});

describe("parsePostgresUrl", () => {
  it("takes the schema from ?schema= and keeps it out of the connection string", () => {
    expect(parsePostgresUrl("postgresql://u:secret@h:5432/db?schema=cb&sslmode=disable")).toEqual({
      connectionString: "postgresql://u:secret@h:5432/db?sslmode=disable",
      schema: "cb",
      describe: "postgresql://h:5432/db (schema cb)",
    });
  });
});

/** A bare driver adapter on the target, without the client, to migrate it only part of the way. */
async function bareAdapter(
  target: TestTarget,
): Promise<{ adapter: DriverAdapter; dispose(): Promise<void> }> {
  if (target.provider === "sqlite") {
    const adapter = (await new PrismaBetterSQLite3({
      url: target.url.slice("file:".length),
    }).connect()) as unknown as DriverAdapter & { dispose(): Promise<void> };
    return { adapter, dispose: () => adapter.dispose() };
  }
  const { connectionString, schema } = parsePostgresUrl(target.url);
  const pool = new pg.Pool({ connectionString, options: `-c search_path="${schema}"` });
  await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  const adapter = (await new PrismaPg(pool, { schema }).connect()) as unknown as DriverAdapter;
  return { adapter, dispose: () => pool.end() };
}

const raw = (sql: string) => ({ sql, args: [], argTypes: [] });

for (const { provider, available } of await providersUnderTest()) {
  describe.skipIf(!available)(`openDatabase on ${provider}`, () => {
    let target: TestTarget;
    beforeEach(() => {
      target = testTarget(provider);
    });
    afterEach(async () => {
      await target.drop();
    });

    it("applies every migration to a fresh database and records them as Prisma does", async () => {
      const db = await target.open();
      try {
        expect(db.provider).toBe(provider);
        const shipped = readMigrations(migrationsDir[provider]);
        expect(shipped.length).toBeGreaterThan(0);
        const rows = await db.prisma.$queryRawUnsafe<
          { migration_name: string; checksum: string; finished_at: unknown; applied_steps_count: unknown }[]
        >(
          `SELECT "migration_name", "checksum", "finished_at", "applied_steps_count" FROM "_prisma_migrations" ORDER BY "migration_name"`,
        );
        expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(
          shipped.map((m) => [m.name, m.checksum]),
        );
        expect(rows.every((r) => r.finished_at !== null && Number(r.applied_steps_count) === 1)).toBe(true);
        // The models are usable right away.
        await db.prisma.auditLog.create({ data: { actor: "test", action: "open", detail: "" } });
        expect(await db.prisma.auditLog.count()).toBe(1);
      } finally {
        await db.close();
      }
    });

    it("is idempotent: a second start applies nothing and keeps the data", async () => {
      const first = await target.open();
      await first.prisma.auditLog.create({ data: { actor: "test", action: "keep", detail: "" } });
      await first.close();
      const second = await target.open();
      try {
        const count = await second.prisma.$queryRawUnsafe<{ n: unknown }[]>(
          `SELECT COUNT(*) AS n FROM "_prisma_migrations"`,
        );
        expect(Number(count[0]?.n)).toBe(readMigrations(migrationsDir[provider]).length);
        expect(await second.prisma.auditLog.count()).toBe(1);
      } finally {
        await second.close();
      }
    });

    it("carries relations stored in the old Relation table into the entity row", async () => {
      const [init, ...rest] = readMigrations(migrationsDir[provider]);
      expect(rest.map((m) => m.name)).toContain("20261125122706_entity_relations_json");
      const bare = await bareAdapter(target);
      try {
        await migrate(bare.adapter, { provider, describe: "test", migrations: [init!] });
        const at = `'2026-01-01T00:00:00.000+00:00'`;
        for (const statement of [
          `INSERT INTO "Location" ("key", "problems", "importedAt", "entityCount") VALUES ('loc', '[]', ${at}, 2)`,
          `INSERT INTO "Entity" ("ref", "kind", "namespace", "name", "locationKey", "sourceLocation", "sourceLine", "hash", "body", "updatedAt") ` +
            `VALUES ('component:default/a', 'Component', 'default', 'a', 'loc', 'f', 1, 'h', '{}', ${at}), ` +
            `('component:default/b', 'Component', 'default', 'b', 'loc', 'f', 2, 'h', '{}', ${at})`,
          `INSERT INTO "Relation" ("emitterRef", "source", "type", "target") VALUES ` +
            `('component:default/a', 'component:default/a', 'ownedBy', 'group:default/t'), ` +
            `('component:default/a', 'group:default/t', 'ownerOf', 'component:default/a')`,
        ]) {
          await bare.adapter.executeRaw(raw(statement));
        }
      } finally {
        await bare.dispose();
      }
      const db = await target.open();
      try {
        const rows = await db.prisma.entity.findMany({ orderBy: { ref: "asc" } });
        expect(rows.map((r) => [r.ref, JSON.parse(r.relations)])).toEqual([
          [
            "component:default/a",
            // [source, type, target], 0 for the entity's own ref (see prisma-catalog-store.ts).
            expect.arrayContaining([
              [0, "ownedBy", "group:default/t"],
              ["group:default/t", "ownerOf", 0],
            ]),
          ],
          ["component:default/b", []],
        ]);
      } finally {
        await db.close();
      }
    });

    it("refuses a database that has a migration this build does not know", async () => {
      const db = await target.open();
      await db.prisma.$executeRawUnsafe(
        `INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "started_at", "applied_steps_count") ` +
          `VALUES ('00000000-0000-0000-0000-000000000000', 'x', '2030-01-01T00:00:00.000+00:00', '29990101000000_future', '2030-01-01T00:00:00.000+00:00', 1)`,
      );
      await db.close();
      await expect(target.open()).rejects.toThrow(/29990101000000_future.*does not know.*Upgrade Callboard/s);
    });
  });
}

describe("migrate on SQLite", () => {
  let target: TestTarget;
  beforeEach(() => {
    target = testTarget("sqlite");
  });
  afterEach(async () => {
    await target.drop();
  });

  it("applies a failing migration atomically: nothing of it stays, and it is not recorded", async () => {
    (await target.open()).close();
    const factory = new PrismaBetterSQLite3({ url: target.url.slice("file:".length) });
    const adapter = (await factory.connect()) as unknown as MigrationAdapter & { dispose(): Promise<void> };
    try {
      const broken = {
        name: "29990101000000_broken",
        sql: `CREATE TABLE "Half" ("id" TEXT PRIMARY KEY);\nINSERT INTO "NoSuchTable" VALUES (1);\n`,
        checksum: "c",
      };
      const shipped = readMigrations(migrationsDir.sqlite);
      await expect(
        migrate(adapter, { provider: "sqlite", describe: "test.db", migrations: [...shipped, broken] }),
      ).rejects.toThrow(/29990101000000_broken failed, nothing of it was applied/);
      const half = await adapter.queryRaw({
        sql: `SELECT name FROM sqlite_master WHERE name = 'Half'`,
        args: [],
        argTypes: [],
      });
      expect(half.rows).toEqual([]);
      const recorded = await adapter.queryRaw({
        sql: `SELECT migration_name FROM "_prisma_migrations" WHERE migration_name = '29990101000000_broken'`,
        args: [],
        argTypes: [],
      });
      expect(recorded.rows).toEqual([]);
    } finally {
      await adapter.dispose();
    }
  });

  it("opens the SQLite file in WAL mode with foreign keys on and a busy timeout", async () => {
    const db = await openDatabase({ url: target.url });
    try {
      const value = async (pragma: string) =>
        Object.values(
          (await db.prisma.$queryRawUnsafe<Record<string, unknown>[]>(`PRAGMA ${pragma}`))[0] ?? {},
        )[0];
      expect(await value("journal_mode")).toBe("wal");
      expect(Number(await value("foreign_keys"))).toBe(1);
      expect(Number(await value("busy_timeout"))).toBeGreaterThan(0);
      // The catalog store's bulk writes go through the driver directly: same connection, same settings.
      const driver = await db.driver();
      const driverValue = async (pragma: string) =>
        (await driver.queryRaw(raw(`PRAGMA ${pragma}`))).rows[0]?.[0];
      expect(Number(await driverValue("synchronous"))).toBe(1);
      expect(Number(await driverValue("foreign_keys"))).toBe(1);
      expect(Number(await driverValue("cache_size"))).toBe(-65536);
    } finally {
      await db.close();
    }
  });
});
