import { resolve } from "node:path";
import type { Logger } from "pino";
import type { CatalogProblem, ProcessedEntity, RelationEdge } from "./model/entity.ts";
import type { CatalogGraph } from "./graph/catalog-graph.ts";
import type { CatalogStore, ImportResult, StoredEntity, StoredLocation } from "./store/catalog-store.ts";

export interface LocationRead {
  entities: ProcessedEntity[];
  problems: CatalogProblem[];
  files: string[];
}

export type LocationReader = (target: string) => Promise<LocationRead>;

export interface ImportReport extends ImportResult {
  problems: CatalogProblem[];
  files: string[];
  /** Entities kept at their last good version because their file or document failed this time. */
  kept: string[];
}

export interface CatalogChange {
  upserted: Array<{ ref: string; entity: ProcessedEntity["entity"]; relations: RelationEdge[] }>;
  removed: string[];
}

export type CatalogListener = (change: CatalogChange) => void | Promise<void>;

/** The key a registered location is stored under: `file:/abs/path` or `url:https://...`. */
export function locationKey(target: string, cwd = process.cwd()): string {
  if (/^url:/i.test(target) || /^file:/i.test(target)) return target;
  if (/^https?:\/\//i.test(target)) return `url:${target}`;
  return `file:${resolve(cwd, target)}`;
}

/**
 * Imports locations into the store and keeps the in-memory graph (and whoever listens, such as search)
 * in step with it. The store write is all or nothing; the graph only changes after it succeeds.
 */
export class CatalogService {
  private readonly listeners: CatalogListener[] = [];
  /** Content hash of every stored entity, so derived state (the search index) can tell it is current. */
  private readonly hashes = new Map<string, string>();

  constructor(
    private readonly deps: { store: CatalogStore; graph: CatalogGraph; read: LocationReader; log: Logger },
  ) {}

  get graph(): CatalogGraph {
    return this.deps.graph;
  }

  /** Every stored entity's ref and content hash. */
  *contentHashes(): Iterable<{ id: string; hash: string }> {
    for (const [id, hash] of this.hashes) yield { id, hash };
  }

  onChange(listener: CatalogListener): void {
    this.listeners.push(listener);
  }

  /** Fill the graph from the database: the start-up path, no file is read. */
  async load(): Promise<StoredEntity[]> {
    const stored = await this.deps.store.loadAll();
    this.deps.graph.upsert(stored);
    for (const entity of stored) this.hashes.set(entity.ref, entity.hash);
    return stored;
  }

  async importLocation(target: string): Promise<ImportReport> {
    const key = locationKey(target);
    const read = await this.deps.read(key);
    const { entities, kept } = await this.keepLastGood(key, read);
    const result = await this.deps.store.replaceLocation(key, entities, read.problems);
    const changed = new Set([...result.added, ...result.updated]);
    const upserted = entities.filter((e) => changed.has(e.ref));
    this.deps.graph.remove(result.removed);
    this.deps.graph.upsert(upserted);
    for (const ref of result.removed) this.hashes.delete(ref);
    for (const entity of upserted) this.hashes.set(entity.ref, entity.hash);
    await this.notify({ upserted, removed: result.removed });
    this.deps.log.info(
      {
        location: key,
        added: result.added.length,
        updated: result.updated.length,
        removed: result.removed.length,
        unchanged: result.unchanged,
        problems: read.problems.length,
      },
      "location imported",
    );
    return { ...result, problems: [...read.problems, ...result.conflicts], files: read.files, kept };
  }

  locations(): Promise<StoredLocation[]> {
    return this.deps.store.listLocations();
  }

  async removeLocation(target: string): Promise<ImportResult> {
    const result = await this.deps.store.removeLocation(locationKey(target));
    this.deps.graph.remove(result.removed);
    for (const ref of result.removed) this.hashes.delete(ref);
    await this.notify({ upserted: [], removed: result.removed });
    return result;
  }

  /**
   * As Backstage does, an entity whose file could not be parsed or that fails validation keeps its last
   * good version rather than vanishing: a typo in one file must not delete a team's services.
   */
  private async keepLastGood(
    key: string,
    read: LocationRead,
  ): Promise<{ entities: ProcessedEntity[]; kept: string[] }> {
    const declared = new Set(read.entities.map((e) => e.ref));
    const damagedFiles = new Set(read.problems.filter((p) => !p.ref).map((p) => p.location));
    const failedRefs = new Set(read.problems.flatMap((p) => (p.ref ? [p.ref] : [])));
    if (damagedFiles.size === 0 && failedRefs.size === 0) return { entities: read.entities, kept: [] };
    const entities = [...read.entities];
    const kept: string[] = [];
    for (const previous of await this.deps.store.loadLocation(key)) {
      if (declared.has(previous.ref)) continue;
      if (failedRefs.has(previous.ref) || damagedFiles.has(previous.source.location)) {
        entities.push(previous);
        kept.push(previous.ref);
      }
    }
    return { entities, kept };
  }

  private async notify(change: CatalogChange): Promise<void> {
    if (change.upserted.length === 0 && change.removed.length === 0) return;
    for (const listener of this.listeners) await listener(change);
  }
}
