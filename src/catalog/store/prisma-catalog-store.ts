import type { Database, PrismaDb } from "../../db/open-database.ts";
import type { CatalogProblem, Entity, ProcessedEntity, RelationEdge } from "../model/entity.ts";
import type { CatalogStore, ImportResult, StoredEntity, StoredLocation } from "./catalog-store.ts";

/** The client handed to an interactive transaction's callback. */
type Tx = Parameters<Parameters<PrismaDb["$transaction"]>[0]>[0];

/** Rows per bulk statement: a few MB of JSON at most, and a 100k-entity import is a few dozen statements. */
const BATCH = 5_000;
/** A large first import runs in one transaction; Prisma's 5 s default would abort it. */
const TRANSACTION_TIMEOUT_MS = 10 * 60_000;

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
  "updatedAt",
] as const;
const ENTITY_COLUMNS = ENTITY_COLUMN_NAMES.map((c) => `"${c}"`).join(", ");

/** Values in ENTITY_COLUMN_NAMES order. */
function entityValues(locationKey: string, entity: ProcessedEntity, now: Date): (string | number)[] {
  return [
    entity.ref,
    entity.entity.kind,
    entity.entity.metadata.namespace ?? "default",
    entity.entity.metadata.name,
    locationKey,
    entity.source.location,
    entity.source.line,
    entity.hash,
    JSON.stringify(entity.entity),
    // Prisma's own text form for DateTime (SQLite stores it; PostgreSQL parses it as UTC).
    now.toISOString().replace("Z", "+00:00"),
  ];
}

/**
 * Bulk statements that take a whole batch as ONE JSON parameter and unpack it in SQL (json_each on SQLite,
 * json_array_elements on PostgreSQL). Measured on SQLite: Prisma's createMany took 20 s for 10k entities,
 * and multi-row VALUES with one bound parameter per cell cost ~0.5 ms per row in Prisma's argument
 * handling (which also caps createMany at 999 parameters); one JSON parameter per batch is several times
 * faster and still runs inside the Prisma transaction, over the same driver adapter.
 */
interface BulkSql {
  insertEntities: string;
  insertRelations: string;
  deleteEntities: string;
  /** Refs in the list that another location owns: params (json refs, locationKey). */
  ownedElsewhere: string;
}

const bulkSql: Record<Database["provider"], BulkSql> = {
  sqlite: {
    insertEntities:
      `INSERT INTO "Entity" (${ENTITY_COLUMNS}) SELECT ` +
      ENTITY_COLUMN_NAMES.map((_, i) => `value->>${i}`).join(", ") +
      ` FROM json_each(?)`,
    insertRelations: `INSERT INTO "Relation" ("emitterRef", "source", "type", "target") SELECT value->>0, value->>1, value->>2, value->>3 FROM json_each(?)`,
    deleteEntities: `DELETE FROM "Entity" WHERE "ref" IN (SELECT value FROM json_each(?))`,
    ownedElsewhere: `SELECT "ref", "locationKey" FROM "Entity" WHERE "ref" IN (SELECT value FROM json_each(?)) AND "locationKey" <> ?`,
  },
  postgresql: {
    insertEntities:
      `INSERT INTO "Entity" (${ENTITY_COLUMNS}) SELECT ` +
      ENTITY_COLUMN_NAMES.map((name, i) =>
        name === "sourceLine"
          ? `(v->>${i})::int`
          : name === "updatedAt"
            ? `(v->>${i})::timestamp(3)`
            : `v->>${i}`,
      ).join(", ") +
      ` FROM json_array_elements($1::json) AS v`,
    insertRelations: `INSERT INTO "Relation" ("emitterRef", "source", "type", "target") SELECT v->>0, v->>1, v->>2, v->>3 FROM json_array_elements($1::json) AS v`,
    deleteEntities: `DELETE FROM "Entity" WHERE "ref" IN (SELECT json_array_elements_text($1::json))`,
    ownedElsewhere: `SELECT "ref", "locationKey" FROM "Entity" WHERE "ref" IN (SELECT json_array_elements_text($1::json)) AND "locationKey" <> $2`,
  },
};

/** One row per distinct edge: the table's primary key is the whole edge. */
function relationRows(
  entity: ProcessedEntity,
): { emitterRef: string; source: string; type: string; target: string }[] {
  const seen = new Set<string>();
  const rows = [];
  for (const edge of entity.relations) {
    const key = `${edge.source}\u0000${edge.type}\u0000${edge.target}`;
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push({ emitterRef: entity.ref, source: edge.source, type: edge.type, target: edge.target });
  }
  return rows;
}

/** The catalog in the database through Prisma; SQLite and PostgreSQL alike. */
export class PrismaCatalogStore implements CatalogStore {
  private readonly prisma: PrismaDb;
  private readonly sql: BulkSql;

  constructor(db: Pick<Database, "prisma" | "provider">) {
    this.prisma = db.prisma;
    this.sql = bulkSql[db.provider];
  }

  async replaceLocation(
    locationKey: string,
    entities: ProcessedEntity[],
    problems: CatalogProblem[],
  ): Promise<ImportResult> {
    return this.prisma.$transaction(
      async (tx) => {
        const now = new Date();
        const owned = new Map(
          (await tx.entity.findMany({ where: { locationKey }, select: { ref: true, hash: true } })).map(
            (e) => [e.ref, e.hash],
          ),
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
          const elsewhere = await tx.$queryRawUnsafe<{ ref: string; locationKey: string }[]>(
            this.sql.ownedElsewhere,
            JSON.stringify(batch.map((e) => e.ref)),
            locationKey,
          );
          for (const other of elsewhere) {
            const entity = accepted.get(other.ref)!;
            accepted.delete(other.ref);
            conflicts.push(duplicateProblem(entity, `location ${other.locationKey}`));
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
        const removed = [...owned.keys()].filter((ref) => !accepted.has(ref));

        const location = {
          problems: JSON.stringify([...problems, ...conflicts]),
          importedAt: now,
          entityCount: accepted.size,
        };
        await tx.location.upsert({
          where: { key: locationKey },
          create: { key: locationKey, ...location },
          update: location,
        });

        // A changed entity is deleted and inserted again: its relations go with it (ON DELETE CASCADE), and
        // batched inserts are far cheaper than one UPDATE per row.
        for (const batch of chunks([...removed, ...updated])) {
          await tx.$executeRawUnsafe(this.sql.deleteEntities, JSON.stringify(batch));
        }
        for (const batch of chunks(toWrite)) {
          const rows = batch.map((entity) => entityValues(locationKey, entity, now));
          await tx.$executeRawUnsafe(this.sql.insertEntities, JSON.stringify(rows));
        }
        for (const batch of chunks(toWrite.flatMap(relationRows), 4 * BATCH)) {
          const rows = batch.map((r) => [r.emitterRef, r.source, r.type, r.target]);
          await tx.$executeRawUnsafe(this.sql.insertRelations, JSON.stringify(rows));
        }
        return { locationKey, added, updated, removed, unchanged, conflicts };
      },
      { timeout: TRANSACTION_TIMEOUT_MS, maxWait: 30_000 },
    );
  }

  async removeLocation(locationKey: string): Promise<ImportResult> {
    return this.prisma.$transaction(
      async (tx) => {
        const owned = await tx.entity.findMany({ where: { locationKey }, select: { ref: true } });
        // Entities and their relations follow the location through ON DELETE CASCADE.
        await tx.location.deleteMany({ where: { key: locationKey } });
        return {
          locationKey,
          added: [],
          updated: [],
          removed: owned.map((e) => e.ref),
          unchanged: 0,
          conflicts: [],
        };
      },
      { timeout: TRANSACTION_TIMEOUT_MS, maxWait: 30_000 },
    );
  }

  async loadAll(): Promise<StoredEntity[]> {
    return this.load(undefined);
  }

  async loadLocation(locationKey: string): Promise<StoredEntity[]> {
    return this.load(locationKey);
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

  private async load(locationKey: string | undefined): Promise<StoredEntity[]> {
    // Two reads in one transaction, so entities and relations come from the same moment.
    const { entities, relations } = await this.prisma.$transaction(
      async (tx: Tx) => {
        const entities = await tx.entity.findMany({
          where: locationKey === undefined ? {} : { locationKey },
        });
        const relations = await tx.relation.findMany({
          where: locationKey === undefined ? {} : { emitter: { locationKey } },
          select: { emitterRef: true, source: true, type: true, target: true },
        });
        return { entities, relations };
      },
      { timeout: TRANSACTION_TIMEOUT_MS, maxWait: 30_000 },
    );
    const byEmitter = new Map<string, RelationEdge[]>();
    for (const r of relations) {
      let list = byEmitter.get(r.emitterRef);
      if (!list) byEmitter.set(r.emitterRef, (list = []));
      list.push({ source: r.source, type: r.type, target: r.target });
    }
    return entities.map((row) => ({
      ref: row.ref,
      entity: JSON.parse(row.body) as Entity,
      source: { location: row.sourceLocation, line: row.sourceLine },
      locationKey: row.locationKey,
      hash: row.hash,
      relations: byEmitter.get(row.ref) ?? [],
    }));
  }
}

function duplicateProblem(entity: ProcessedEntity, firstAt: string): CatalogProblem {
  return {
    location: entity.source.location,
    line: entity.source.line,
    ref: entity.ref,
    field: "metadata.name",
    message:
      `${entity.ref} is already defined by ${firstAt}, which keeps it; this definition is ignored. ` +
      `Rename one of them or remove the duplicate.`,
  };
}
