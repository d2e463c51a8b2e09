import type { FileRecord } from "../ingest/file-memo.ts";
import type {
  CatalogProblem,
  Entity,
  ProcessedEntity,
  RelationEdge,
  SourcePosition,
} from "../model/entity.ts";

export interface StoredEntity {
  ref: string;
  entity: Entity;
  source: SourcePosition;
  /** The registered location that owns this entity; re-importing it replaces what it produced. */
  locationKey: string;
  hash: string;
  relations: RelationEdge[];
}

export interface ImportResult {
  locationKey: string;
  added: string[];
  updated: string[];
  removed: string[];
  unchanged: number;
  /** Refs this location declares that another location already owns (the first keeps them). */
  conflicts: CatalogProblem[];
  /**
   * The change log around this write: `before`, the newest entry when it began (under the write lock), and
   * `seq`, its own entry (absent when nothing changed). A replica whose memory held everything up to `before`
   * holds everything up to `seq` once it applied this change.
   */
  log?: { before: number; seq?: number };
}

export interface StoredLocation {
  key: string;
  /** Problems from the last import, as shown to people. */
  problems: CatalogProblem[];
  importedAt: Date;
  entityCount: number;
}

/** Descriptor files' records to write (encoded, see file-memo.ts) and files no longer read, for one location. */
export interface FileRecordChanges {
  write: Array<{ file: string; version: string; record: string }>;
  remove: string[];
}

/** One committed change in the change log, in commit order. */
export interface LoggedChange {
  seq: number;
  /** The replica that wrote it. */
  replica: string;
  locationKey: string;
  /** Refs added or rewritten. */
  upserted: string[];
  removed: string[];
}

export interface CatalogStore {
  /**
   * Make `locationKey` own exactly `entities`, all or nothing: insert new refs, rewrite those whose hash
   * changed, delete the refs it no longer declares. A ref owned by another location is not taken; it is
   * reported in `conflicts`. `problems` are recorded on the location. Refs in `keep` that this location
   * owns stay exactly as stored although `entities` does not declare them (their file could not be read
   * this time); they count as unchanged.
   */
  replaceLocation(
    locationKey: string,
    entities: ProcessedEntity[],
    problems: CatalogProblem[],
    keep?: readonly string[],
    files?: FileRecordChanges,
  ): Promise<ImportResult>;
  /**
   * Record an import that changed no entity (its problems, its time, its entity count and its files' records),
   * without reading or writing the location's entities: only when the change log's newest entry is still
   * `memoryAt`, so the caller's memory, which says nothing changed, holds what is stored. Resolves false (and
   * writes nothing) otherwise; then call replaceLocation.
   */
  touchLocation(
    locationKey: string,
    problems: CatalogProblem[],
    entityCount: number,
    files: FileRecordChanges,
    memoryAt: number,
  ): Promise<boolean>;
  /** Remove a location and everything it produced. */
  removeLocation(locationKey: string): Promise<ImportResult>;
  /** What the last import of a location recorded of each descriptor file it read. */
  fileRecords(locationKey: string): Promise<FileRecord[]>;
  /**
   * The change log: every write that changed entities is logged in its own transaction, in commit order, with
   * the replica that wrote it, so other replicas follow it (see replicas/). The newest entry's seq (0: none).
   */
  latestChange(): Promise<number>;
  /** Up to `limit` entries after `seq`, oldest first. */
  changesSince(seq: number, limit: number): Promise<LoggedChange[]>;
  /** Drop entries written before `before`; returns how many. */
  pruneChanges(before: Date): Promise<number>;
  /** The stored entities among `refs` (those removed since are simply absent). */
  entities(refs: readonly string[]): Promise<StoredEntity[]>;
  /** Every stored entity with its relations. */
  loadAll(): Promise<StoredEntity[]>;
  /**
   * The same a page at a time, from one consistent read, to build the in-memory graph at start-up
   * without holding every row at once. Resolves to how many entities there were.
   */
  eachStored(onPage: (page: StoredEntity[]) => void): Promise<number>;
  listLocations(): Promise<StoredLocation[]>;
}

/** The problem for a ref declared again, in this location or another: the first declaration keeps it. */
export function duplicateProblem(entity: ProcessedEntity, firstAt: string): CatalogProblem {
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
