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
}

export interface StoredLocation {
  key: string;
  /** Problems from the last import, as shown to people. */
  problems: CatalogProblem[];
  importedAt: Date;
  entityCount: number;
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
  ): Promise<ImportResult>;
  /** Remove a location and everything it produced. */
  removeLocation(locationKey: string): Promise<ImportResult>;
  /** Every stored entity with its relations. */
  loadAll(): Promise<StoredEntity[]>;
  /**
   * The same a page at a time, from one consistent read, to build the in-memory graph at start-up
   * without holding every row at once. Resolves to how many entities there were.
   */
  eachStored(onPage: (page: StoredEntity[]) => void): Promise<number>;
  listLocations(): Promise<StoredLocation[]>;
}
