import { randomUUID } from "node:crypto";
import type { Database, DriverAdapter, PrismaDb } from "../../db/open-database.ts";
import type { Queryable, SqlQuery } from "../../db/migrate.ts";
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  type CatalogProblem,
  type Entity,
  type ProcessedEntity,
  type RelationEdge,
} from "../model/entity.ts";
import { decodeRecord, type FileRecord } from "../ingest/file-memo.ts";
import {
  duplicateProblem,
  type CatalogStore,
  type FileRecordChanges,
  type ImportResult,
  type LoggedChange,
  type StoredEntity,
  type StoredLocation,
} from "./catalog-store.ts";

/** The PostgreSQL channel a catalog write notifies (inside its transaction, so on commit) for other replicas. */
export const CATALOG_CHANNEL = "callboard_catalog";

/**
 * Rows per bulk statement: a few MB of JSON. Measured at 100k entities on SQLite, 1k to 5k rows per
 * statement cost the same, and 20k was slower (the larger JSON text costs more to build and to walk).
 */
const BATCH = 5_000;

function chunks<T>(items: T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const ENTITY_COLUMN_NAMES = [
  "ref",
  "kind",
  "namespace",
  "name",
  "locationKey",
  "sourceLocation",
  "sourceLine",
  "hash",
  "body",
  "relations",
  "updatedAt",
] as const;
const ENTITY_COLUMNS = ENTITY_COLUMN_NAMES.map((c) => `"${c}"`).join(", ");
/** Columns the bulk JSON carries as JSON values rather than strings: stored as their JSON text. */
const JSON_COLUMNS = new Set<string>(["body", "relations"]);

/**
 * Values in ENTITY_COLUMN_NAMES order. The body and relations travel as JSON values, not JSON strings
 * inside JSON: that spares escaping every quote twice (measured: about a third of the SQLite insert time).
 */
function entityValues(locationKey: string, entity: ProcessedEntity, now: string): unknown[] {
  return [
    entity.ref,
    entity.entity.kind,
    entity.entity.metadata.namespace ?? "default",
    entity.entity.metadata.name,
    locationKey,
    entity.source.location,
    entity.source.line,
    entity.hash,
    entity.entity,
    encodeRelations(entity.ref, entity.relations),
    now,
  ];
}

/** Prisma's own text form for DateTime (SQLite stores it; PostgreSQL parses it as UTC). */
const prismaTimestamp = (date: Date) => date.toISOString().replace("Z", "+00:00");

/**
 * Bulk statements that take a whole batch as ONE JSON parameter and unpack it in SQL (json_each on SQLite,
 * json_array_elements on PostgreSQL), run on Prisma's driver adapter directly (see Database.driver).
 * Measured on SQLite: Prisma's createMany took 20 s for 10k entities, multi-row VALUES with one bound
 * parameter per cell cost ~0.5 ms per row in Prisma's argument handling, and even one JSON parameter per
 * batch through $executeRawUnsafe spent more CPU in Prisma's query compiler (copying and re-encoding the
 * parameter) than SQLite spent inserting.
 */
interface BulkSql {
  /** Location key, entity refs and hashes: params (locationKey). */
  owned: string;
  /** One statement inserting `rows` (values in ENTITY_COLUMN_NAMES order). */
  insertEntities(rows: unknown[][]): SqlQuery;
  /** Rows per insert statement. */
  insertBatch: number;
  deleteEntities: string;
  /** Refs in the list that another location owns: params (json refs, locationKey). */
  ownedElsewhere: string;
  /** Params (key, problems, importedAt, entityCount). */
  upsertLocation: string;
  /** Params (key). Entities follow through ON DELETE CASCADE. */
  deleteLocation: string;
  /** Up to $2 entities after ref $1, each as one JSON text of LoadedRow, in ref order. */
  loadPage: string;
  /** The entities whose refs are in the JSON array $1, as loadPage's rows. */
  loadRefs: string;
  /** Params (locationKey). */
  fileRecords: string;
  /** Params (locationKey, json [[file, version, record]]): insert or replace. */
  upsertFiles: string;
  /** Params (locationKey, json files). */
  deleteFiles: string;
  /** Params (replica, locationKey, json upserted, json removed, createdAt). */
  logChange: string;
  latestChange: string;
  /** Params (after seq, limit). */
  changesSince: string;
  /** Params (createdAt). */
  pruneChanges: string;
}

/** [ref, locationKey, sourceLocation, sourceLine, hash, entity, relations] */
type LoadedRow = [string, string, string, number, string, Entity, StoredEdge[]];

/**
 * A relation edge as stored: [source, type, target], with 0 for the emitting entity's own ref, which is
 * one end of nearly every edge. Relations were most of the bytes written and read (about 770 of 1,240 per
 * entity as {source, type, target} objects); this form is about a third of that.
 */
type StoredEdge = [string | 0, string, string | 0];

function encodeRelations(ref: string, edges: RelationEdge[]): StoredEdge[] {
  return edges.map((e) => [e.source === ref ? 0 : e.source, e.type, e.target === ref ? 0 : e.target]);
}

function decodeRelations(ref: string, stored: StoredEdge[]): RelationEdge[] {
  return stored.map(([source, type, target]) => ({
    source: source === 0 ? ref : source,
    type,
    target: target === 0 ? ref : target,
  }));
}

/**
 * Start-up reads one JSON text per entity, built by the database from the stored JSON texts spliced in as
 * they are, so JS makes one JSON.parse call per entity instead of handling seven columns and parsing two.
 * Pages follow the primary key (keyset), inside one transaction: one consistent snapshot.
 */
function loadRowSql(provider: Database["provider"]): string {
  const quote = (column: string) =>
    provider === "sqlite" ? `json_quote("${column}")` : `to_json("${column}")::text`;
  return (
    `'[' || ${quote("ref")} || ',' || ${quote("locationKey")} || ',' || ${quote("sourceLocation")} || ',' || ` +
    `"sourceLine" || ',' || ${quote("hash")} || ',' || "body" || ',' || "relations" || ']'`
  );
}

function loadPageSql(provider: Database["provider"]): string {
  const param = (n: number) => (provider === "sqlite" ? "?" : `$${n}`);
  return `SELECT ${loadRowSql(provider)} FROM "Entity" WHERE "ref" > ${param(1)} ORDER BY "ref" LIMIT ${param(2)}`;
}

/** PostgreSQL parses the JSON once (json_array_elements) and extracts each field without re-reading it. */
const insertEntitiesFromJson =
  `INSERT INTO "Entity" (${ENTITY_COLUMNS}) SELECT ` +
  ENTITY_COLUMN_NAMES.map((name, i) =>
    name === "sourceLine"
      ? `(v->>${i})::int`
      : name === "updatedAt"
        ? `(v->>${i})::timestamp(3)`
        : JSON_COLUMNS.has(name)
          ? `(v->${i})::text`
          : `v->>${i}`,
  ).join(", ") +
  ` FROM json_array_elements($1::json) AS v`;

const bulkSql: Record<Database["provider"], BulkSql> = {
  sqlite: {
    owned: `SELECT "ref", "hash" FROM "Entity" WHERE "locationKey" = ?`,
    // Multi-row VALUES with a bound parameter per cell: measured at 100k, SQLite spent about half of a
    // json_each insert re-reading each row's JSON once per column; binding costs nothing like that.
    insertEntities: (rows) => {
      const args: (string | number)[] = [];
      for (const row of rows) {
        for (let i = 0; i < row.length; i++) {
          const value = row[i];
          args.push(
            JSON_COLUMNS.has(ENTITY_COLUMN_NAMES[i]!) ? JSON.stringify(value) : (value as string | number),
          );
        }
      }
      const tuple = `(${ENTITY_COLUMN_NAMES.map(() => "?").join(", ")})`;
      return query(
        `INSERT INTO "Entity" (${ENTITY_COLUMNS}) VALUES ${rows.map(() => tuple).join(", ")}`,
        ...args,
      );
    },
    // SQLite takes at most 32,766 parameters per statement: 2,000 rows of 11 columns stay below.
    insertBatch: 2_000,
    deleteEntities: `DELETE FROM "Entity" WHERE "ref" IN (SELECT value FROM json_each(?))`,
    ownedElsewhere: `SELECT "ref", "locationKey" FROM "Entity" WHERE "ref" IN (SELECT value FROM json_each(?)) AND "locationKey" <> ?`,
    upsertLocation:
      `INSERT INTO "Location" ("key", "problems", "importedAt", "entityCount") VALUES (?, ?, ?, ?) ` +
      `ON CONFLICT ("key") DO UPDATE SET "problems" = excluded."problems", ` +
      `"importedAt" = excluded."importedAt", "entityCount" = excluded."entityCount"`,
    deleteLocation: `DELETE FROM "Location" WHERE "key" = ?`,
    loadPage: loadPageSql("sqlite"),
    loadRefs: `SELECT ${loadRowSql("sqlite")} FROM "Entity" WHERE "ref" IN (SELECT value FROM json_each(?))`,
    fileRecords: `SELECT "file", "version", "record" FROM "CatalogFile" WHERE "locationKey" = ?`,
    // WHERE true: without it SQLite would read ON CONFLICT as part of the SELECT's join.
    upsertFiles:
      `INSERT INTO "CatalogFile" ("locationKey", "file", "version", "record") ` +
      `SELECT ?, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') ` +
      `FROM json_each(?) WHERE true ON CONFLICT ("locationKey", "file") DO UPDATE SET ` +
      `"version" = excluded."version", "record" = excluded."record"`,
    deleteFiles: `DELETE FROM "CatalogFile" WHERE "locationKey" = ? AND "file" IN (SELECT value FROM json_each(?))`,
    logChange:
      `INSERT INTO "CatalogChangeLog" ("replica", "locationKey", "upserted", "removed", "createdAt") ` +
      `VALUES (?, ?, ?, ?, ?)`,
    latestChange: `SELECT COALESCE(MAX("seq"), 0) FROM "CatalogChangeLog"`,
    changesSince:
      `SELECT "seq", "replica", "locationKey", "upserted", "removed" FROM "CatalogChangeLog" ` +
      `WHERE "seq" > ? ORDER BY "seq" LIMIT ?`,
    pruneChanges: `DELETE FROM "CatalogChangeLog" WHERE "createdAt" < ?`,
  },
  postgresql: {
    owned: `SELECT "ref", "hash" FROM "Entity" WHERE "locationKey" = $1`,
    insertEntities: (rows) => query(insertEntitiesFromJson, JSON.stringify(rows)),
    insertBatch: BATCH,
    deleteEntities: `DELETE FROM "Entity" WHERE "ref" IN (SELECT json_array_elements_text($1::json))`,
    ownedElsewhere: `SELECT "ref", "locationKey" FROM "Entity" WHERE "ref" IN (SELECT json_array_elements_text($1::json)) AND "locationKey" <> $2`,
    upsertLocation:
      `INSERT INTO "Location" ("key", "problems", "importedAt", "entityCount") ` +
      `VALUES ($1, $2, $3::timestamp(3), $4::int) ` +
      `ON CONFLICT ("key") DO UPDATE SET "problems" = excluded."problems", ` +
      `"importedAt" = excluded."importedAt", "entityCount" = excluded."entityCount"`,
    deleteLocation: `DELETE FROM "Location" WHERE "key" = $1`,
    loadPage: loadPageSql("postgresql"),
    loadRefs: `SELECT ${loadRowSql("postgresql")} FROM "Entity" WHERE "ref" IN (SELECT json_array_elements_text($1::json))`,
    fileRecords: `SELECT "file", "version", "record" FROM "CatalogFile" WHERE "locationKey" = $1`,
    upsertFiles:
      `INSERT INTO "CatalogFile" ("locationKey", "file", "version", "record") ` +
      `SELECT $1, v->>0, v->>1, v->>2 FROM json_array_elements($2::json) AS v ` +
      `ON CONFLICT ("locationKey", "file") DO UPDATE SET "version" = excluded."version", "record" = excluded."record"`,
    deleteFiles: `DELETE FROM "CatalogFile" WHERE "locationKey" = $1 AND "file" IN (SELECT json_array_elements_text($2::json))`,
    logChange:
      `INSERT INTO "CatalogChangeLog" ("replica", "locationKey", "upserted", "removed", "createdAt") ` +
      `VALUES ($1, $2, $3, $4, $5::timestamp(3))`,
    latestChange: `SELECT COALESCE(MAX("seq"), 0) FROM "CatalogChangeLog"`,
    changesSince:
      `SELECT "seq", "replica", "locationKey", "upserted", "removed" FROM "CatalogChangeLog" ` +
      `WHERE "seq" > $1 ORDER BY "seq" LIMIT $2`,
    pruneChanges: `DELETE FROM "CatalogChangeLog" WHERE "createdAt" < $1::timestamp(3)`,
  },
};

function query(sql: string, ...args: (string | number)[]): SqlQuery {
  return {
    sql,
    args,
    argTypes: args.map((arg) => ({
      scalarType: typeof arg === "number" ? "int" : "string",
      arity: "scalar",
    })),
  };
}

async function select(db: Queryable, sql: string, ...args: (string | number)[]): Promise<unknown[][]> {
  return (await db.queryRaw(query(sql, ...args))).rows;
}

/** The database's own message: Prisma's DriverAdapterError keeps it in `cause.originalMessage`. */
function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { originalMessage?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.originalMessage === "string") return cause.originalMessage;
  if (typeof cause?.message === "string") return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** PostgreSQL advisory lock key for catalog writes (any constant no other code uses). */
const CATALOG_WRITE_LOCK = 0x43424341;

/** The catalog in the database through Prisma; SQLite and PostgreSQL alike. */
export class PrismaCatalogStore implements CatalogStore {
  private readonly prisma: PrismaDb;
  private readonly driver: () => Promise<DriverAdapter>;
  private readonly sql: BulkSql;
  private readonly provider: Database["provider"];
  /** Names this process in the change log, so it skips its own changes when it follows the log. */
  readonly replica: string;

  constructor(db: Pick<Database, "prisma" | "provider" | "driver">, options: { replica?: string } = {}) {
    this.prisma = db.prisma;
    this.provider = db.provider;
    this.driver = db.driver;
    this.sql = bulkSql[db.provider];
    this.replica = options.replica ?? randomUUID();
  }

  /**
   * Catalog writes take turns across replicas (SQLite is one writer at a time already): two imports must not
   * both see a ref as new, and the change log's seq must follow commit order, or a follower reading past a
   * seq could miss a change that commits after it.
   */
  private async lock(tx: Queryable): Promise<void> {
    if (this.provider === "postgresql") {
      // Selecting a value: the adapter cannot read the lock function's void result.
      await select(tx, `SELECT 1 AS locked FROM pg_advisory_xact_lock(${CATALOG_WRITE_LOCK})`);
    }
  }

  /** The change log's newest entry, read in a writing transaction (under the write lock). */
  private async newestChange(tx: Queryable): Promise<number> {
    const [row] = await select(tx, this.sql.latestChange);
    return Number(row?.[0] ?? 0);
  }

  /**
   * Logs a change in the writing transaction and, on PostgreSQL, wakes the other replicas on commit. Returns
   * the log around it (ImportResult.log).
   */
  private async logChange(
    tx: Queryable,
    locationKey: string,
    upserted: string[],
    removed: string[],
    now: Date,
  ): Promise<{ before: number; seq?: number }> {
    const before = await this.newestChange(tx);
    if (upserted.length === 0 && removed.length === 0) return { before };
    const [row] = await select(
      tx,
      `${this.sql.logChange} RETURNING "seq"`,
      this.replica,
      locationKey,
      JSON.stringify(upserted),
      JSON.stringify(removed),
      prismaTimestamp(now),
    );
    if (this.provider === "postgresql") await tx.executeRaw(query(`NOTIFY ${CATALOG_CHANNEL}`));
    return { before, seq: Number(row?.[0]) };
  }

  /**
   * Runs `work` in one transaction on the driver adapter: all of it or none of it. The adapter's
   * transaction sends BEGIN and takes its lock; COMMIT and ROLLBACK are ours to send (as Prisma's engine
   * does), then commit()/rollback() release the lock or connection.
   */
  private async transaction<T>(what: string, work: (tx: Queryable) => Promise<T>): Promise<T> {
    const tx = await (await this.driver()).startTransaction();
    try {
      if (this.provider === "sqlite") {
        // The adapter's BEGIN is deferred: with a second writer on the file (the import CLI while the
        // bot runs), upgrading to a write lock mid-transaction fails at once instead of waiting. The
        // deferred BEGIN holds no lock yet, so end it and take the write lock up front, which waits
        // up to busy_timeout.
        await tx.executeRaw(query("COMMIT"));
        await tx.executeRaw(query("BEGIN IMMEDIATE"));
      }
      const result = await work(tx);
      await tx.executeRaw(query("COMMIT"));
      await tx.commit();
      return result;
    } catch (error) {
      await tx.executeRaw(query("ROLLBACK")).catch(() => undefined);
      await tx.rollback().catch(() => undefined);
      throw new Error(`${what} failed: ${reasonOf(error)}`, { cause: error });
    }
  }

  /**
   * Reads in one transaction of their own: on SQLite the client and the store share one connection, and a read
   * outside the adapter's transaction lock would see an import half written.
   */
  private async read<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const tx = await (await this.driver()).startTransaction();
    try {
      const result = await work(tx);
      await tx.executeRaw(query("COMMIT"));
      await tx.commit();
      return result;
    } catch (error) {
      await tx.executeRaw(query("ROLLBACK")).catch(() => undefined);
      await tx.rollback().catch(() => undefined);
      throw error;
    }
  }

  async replaceLocation(
    locationKey: string,
    entities: ProcessedEntity[],
    problems: CatalogProblem[],
    keep: readonly string[] = [],
    files: FileRecordChanges = { write: [], remove: [] },
  ): Promise<ImportResult> {
    return this.transaction(`Storing location ${locationKey} (nothing of it was stored)`, async (tx) => {
      // Replicas may import at once (each started with the same catalog).
      await this.lock(tx);
      const now = new Date();
      const owned = new Map(
        (await select(tx, this.sql.owned, locationKey)).map((row) => [String(row[0]), String(row[1])]),
      );

      // The first declaration wins, whether it is stored under another location or earlier in this one.
      const conflicts: CatalogProblem[] = [];
      const accepted = new Map<string, ProcessedEntity>();
      const unseen: ProcessedEntity[] = [];
      for (const entity of entities) {
        const earlier = accepted.get(entity.ref);
        if (earlier) {
          conflicts.push(duplicateProblem(entity, `${earlier.source.location}:${earlier.source.line}`));
        } else {
          accepted.set(entity.ref, entity);
          if (!owned.has(entity.ref)) unseen.push(entity);
        }
      }
      for (const batch of chunks(unseen)) {
        const elsewhere = await select(
          tx,
          this.sql.ownedElsewhere,
          JSON.stringify(batch.map((e) => e.ref)),
          locationKey,
        );
        for (const [ref, otherLocation] of elsewhere) {
          const entity = accepted.get(String(ref))!;
          accepted.delete(String(ref));
          conflicts.push(duplicateProblem(entity, `location ${String(otherLocation)}`));
        }
      }

      const added: string[] = [];
      const updated: string[] = [];
      let unchanged = 0;
      const toWrite: ProcessedEntity[] = [];
      for (const entity of accepted.values()) {
        const storedHash = owned.get(entity.ref);
        if (storedHash === undefined) added.push(entity.ref);
        else if (storedHash !== entity.hash) updated.push(entity.ref);
        else {
          unchanged += 1;
          continue;
        }
        toWrite.push(entity);
      }
      const kept = new Set(keep.filter((ref) => owned.has(ref) && !accepted.has(ref)));
      unchanged += kept.size;
      const removed = [...owned.keys()].filter((ref) => !accepted.has(ref) && !kept.has(ref));

      await tx.executeRaw(
        query(
          this.sql.upsertLocation,
          locationKey,
          JSON.stringify([...problems, ...conflicts]),
          prismaTimestamp(now),
          accepted.size + kept.size,
        ),
      );
      // A changed entity is deleted and inserted again: batched inserts are far cheaper than one UPDATE
      // per row, and its relations are part of its row.
      for (const batch of chunks([...removed, ...updated])) {
        await tx.executeRaw(query(this.sql.deleteEntities, JSON.stringify(batch)));
      }
      const stamp = prismaTimestamp(now);
      for (const batch of chunks(toWrite, this.sql.insertBatch)) {
        const rows = batch.map((entity) => entityValues(locationKey, entity, stamp));
        await tx.executeRaw(this.sql.insertEntities(rows));
      }
      await this.writeFiles(tx, locationKey, files);
      const log = await this.logChange(
        tx,
        locationKey,
        toWrite.map((e) => e.ref),
        removed,
        now,
      );
      return { locationKey, added, updated, removed, unchanged, conflicts, log };
    });
  }

  private async writeFiles(tx: Queryable, locationKey: string, files: FileRecordChanges): Promise<void> {
    if (files.remove.length > 0) {
      await tx.executeRaw(query(this.sql.deleteFiles, locationKey, JSON.stringify(files.remove)));
    }
    for (const batch of chunks(files.write, 500)) {
      const rows = batch.map((f) => [f.file, f.version, f.record]);
      await tx.executeRaw(query(this.sql.upsertFiles, locationKey, JSON.stringify(rows)));
    }
  }

  async touchLocation(
    locationKey: string,
    problems: CatalogProblem[],
    entityCount: number,
    files: FileRecordChanges,
    memoryAt: number,
  ): Promise<boolean> {
    return this.transaction(`Storing location ${locationKey} (nothing of it was stored)`, async (tx) => {
      await this.lock(tx);
      if ((await this.newestChange(tx)) !== memoryAt) return false;
      await tx.executeRaw(
        query(
          this.sql.upsertLocation,
          locationKey,
          JSON.stringify(problems),
          prismaTimestamp(new Date()),
          entityCount,
        ),
      );
      await this.writeFiles(tx, locationKey, files);
      return true;
    });
  }

  async removeLocation(locationKey: string): Promise<ImportResult> {
    return this.transaction(`Removing location ${locationKey} (nothing of it was removed)`, async (tx) => {
      await this.lock(tx);
      const owned = await select(tx, this.sql.owned, locationKey);
      await tx.executeRaw(query(this.sql.deleteLocation, locationKey));
      const log = await this.logChange(
        tx,
        locationKey,
        [],
        owned.map((row) => String(row[0])),
        new Date(),
      );
      return {
        log,
        locationKey,
        added: [],
        updated: [],
        removed: owned.map((row) => String(row[0])),
        unchanged: 0,
        conflicts: [],
      };
    });
  }

  async fileRecords(locationKey: string): Promise<FileRecord[]> {
    const rows = await this.read((tx) => select(tx, this.sql.fileRecords, locationKey));
    return rows.flatMap(([file, version, record]) => {
      const decoded = decodeRecord({ file: String(file), version: String(version), record: String(record) });
      return decoded ? [decoded] : [];
    });
  }

  async latestChange(): Promise<number> {
    const [row] = await this.read((tx) => select(tx, this.sql.latestChange));
    return Number(row?.[0] ?? 0);
  }

  async changesSince(seq: number, limit: number): Promise<LoggedChange[]> {
    const rows = await this.read((tx) => select(tx, this.sql.changesSince, seq, limit));
    return rows.map(([at, replica, locationKey, upserted, removed]) => ({
      seq: Number(at),
      replica: String(replica),
      locationKey: String(locationKey),
      upserted: JSON.parse(String(upserted)) as string[],
      removed: JSON.parse(String(removed)) as string[],
    }));
  }

  async pruneChanges(before: Date): Promise<number> {
    return this.transaction("Pruning the catalog change log", (tx) =>
      tx.executeRaw(query(this.sql.pruneChanges, prismaTimestamp(before))),
    );
  }

  async entities(refs: readonly string[]): Promise<StoredEntity[]> {
    const decode = new RowDecoder();
    const found: StoredEntity[] = [];
    await this.read(async (tx) => {
      for (const batch of chunks([...refs])) {
        const rows = await select(tx, this.sql.loadRefs, JSON.stringify(batch));
        for (const [text] of rows) found.push(decode.row(text as string));
      }
    });
    return found;
  }

  async loadAll(): Promise<StoredEntity[]> {
    const all: StoredEntity[] = [];
    await this.eachStored((page) => all.push(...page));
    return all;
  }

  async eachStored(onPage: (page: StoredEntity[]) => void): Promise<number> {
    const decode = new RowDecoder();
    // One transaction, for one consistent snapshot and for its lock: on SQLite the client and the store
    // share one connection, and a read between the statements of an import would see it half done.
    const count = await this.transaction("Loading the catalog", async (tx) => {
      // PostgreSQL's default (read committed) gives each page its own snapshot: an import committed between
      // two pages would leave the graph with an entity it removed, or without one it added.
      if (this.provider === "postgresql") {
        await tx.executeRaw(query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"));
      }
      let after = "";
      let total = 0;
      for (;;) {
        const rows = await tx.queryRaw(query(this.sql.loadPage, after, LOAD_PAGE));
        if (rows.rows.length === 0) break;
        const page = rows.rows.map(([text]) => decode.row(text as string));
        total += page.length;
        after = page.at(-1)!.ref;
        onPage(page);
        if (rows.rows.length < LOAD_PAGE) break;
      }
      return total;
    });
    // Answers come from the in-memory graph, never from these pages again: hand SQLite's page cache,
    // filled by this one full read, back rather than carrying it for the process's lifetime.
    if (this.provider === "sqlite") await this.prisma.$queryRawUnsafe("PRAGMA shrink_memory");
    return count;
  }

  async listLocations(): Promise<StoredLocation[]> {
    const rows = await this.prisma.location.findMany({ orderBy: { key: "asc" } });
    return rows.map((row) => ({
      key: row.key,
      problems: JSON.parse(row.problems) as CatalogProblem[],
      importedAt: row.importedAt,
      entityCount: row.entityCount,
    }));
  }
}

/**
 * Rows per start-up read. All rows at once was ~150 MB of JSON text at 100k entities, and the heap V8
 * grew for that peak stayed with the process. Measured at 100k (RSS after start-up and 6,000 queries):
 * 100 or 250 rows 450-457 MB, 500 rows 587 MB, 2,000 rows 600 MB; a page's short-lived objects must
 * die in the young generation, or they are promoted and the old generation grows for them.
 */
const LOAD_PAGE = 250;

/**
 * Turns loaded rows into StoredEntity values, sharing one copy of the strings that repeat across rows
 * (location keys, the location annotations, apiVersion, kinds and spec enums): JSON.parse makes a fresh
 * string for every occurrence, and at 100k entities those copies were a tenth of the heap.
 */
class RowDecoder {
  private readonly strings = new Map<string, string>();

  row(text: string): StoredEntity {
    const row = JSON.parse(text) as LoadedRow;
    const entity = row[5];
    entity.apiVersion = this.intern(entity.apiVersion);
    entity.kind = this.intern(entity.kind);
    const { metadata, spec } = entity;
    if (typeof metadata.namespace === "string") metadata.namespace = this.intern(metadata.namespace);
    const annotations = metadata.annotations;
    if (annotations) {
      for (const key of [ANNOTATION_LOCATION, ANNOTATION_ORIGIN_LOCATION]) {
        const value = annotations[key];
        if (typeof value === "string") annotations[key] = this.intern(value);
      }
    }
    if (spec) {
      for (const key of SHARED_SPEC_FIELDS) {
        const value = spec[key];
        if (typeof value === "string") spec[key] = this.intern(value);
      }
    }
    return {
      ref: row[0],
      locationKey: this.intern(row[1]),
      source: { location: this.intern(row[2]), line: row[3] },
      hash: row[4],
      entity,
      relations: decodeRelations(row[0], row[6]),
    };
  }

  private intern(value: string): string {
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    this.strings.set(value, value);
    return value;
  }
}

/** Spec fields whose values many entities share (a few types, lifecycles, owners and systems). */
const SHARED_SPEC_FIELDS = ["type", "lifecycle", "owner", "system", "domain", "parent"] as const;
