import type { Snippet } from "./highlight.ts";

export type { Snippet } from "./highlight.ts";

/**
 * The one search index for catalog entities and doc sections. Every engine (embedded SQLite FTS5,
 * Meilisearch) implements SearchIndex and passes the same contract suite (search-index.contract.ts).
 */

export type SearchDocumentType = "entity" | "doc";

export interface SearchDocument {
  /** Unique within the index: the entity ref for entities, `<entity ref>#<path>#<anchor>` (or similar) for docs. */
  id: string;
  type: SearchDocumentType;
  /** The entity ref, or the owning entity's ref for doc sections. */
  ref: string;
  /** Lower-case kind ("component", "api", ...); for doc sections, the owning entity's kind. */
  kind: string;
  /** Entity name, or the owning entity's name for doc sections. */
  name: string;
  /** Entity title (falls back to the name), or the section heading for doc sections. */
  title: string;
  /** Entity description, or the section's plain text. */
  text: string;
  /** Canonical owner ref, e.g. "group:default/team-payments". */
  owner?: string;
  tags: string[];
  lifecycle?: string;
  namespace: string;
  /** Where to read more: the doc section's deep link. */
  url?: string;
  /** Doc sections: the anchor of the section within its page. */
  section?: string;
}

export interface SearchFilters {
  kind?: string[];
  /** Canonical owner refs. */
  owner?: string[];
  tag?: string[];
  lifecycle?: string[];
  type?: SearchDocumentType[];
}

export interface SearchQuery {
  /** What the person typed, filters already removed (see parseSearchText). May be empty when filters are given. */
  q: string;
  filters?: SearchFilters;
  /** Defaults to 10, capped at 100. */
  limit?: number;
  facets?: boolean;
}

export interface SearchResultHit extends SearchDocument {
  /** Higher is better; comparable only within one result. */
  score: number;
  /**
   * The best matching passage (of the text, else the title, else the name) as plain text on one line, with
   * the matched words' `[start, end)` offsets. How a match looks is the caller's to decide.
   */
  snippet?: Snippet;
}

export interface SearchFacets {
  kind: Record<string, number>;
  owner: Record<string, number>;
  tag: Record<string, number>;
}

export interface SearchResult {
  hits: SearchResultHit[];
  /** Counts over the match; like `total`, an estimate for engines that cap it (embedded: 1,000 documents). */
  facets?: SearchFacets;
  /** How many documents matched (an estimate for engines that cap it). */
  total: number;
}

/** Documents to insert or replace by id, and ids to delete (deleted first). */
export interface IndexChange {
  upsert: SearchDocument[];
  delete: string[];
}

/** A change written but not yet visible; settle it exactly once. */
export interface StagedIndexWrite {
  /** Make the change visible; rejects if writing it failed. */
  commit(): Promise<void>;
  /** Throw the change away (stopping a write still under way); never rejects. */
  abort(): Promise<void>;
}

export interface SearchIndex {
  /** Insert or replace documents by id. */
  upsert(docs: SearchDocument[]): Promise<void>;
  delete(ids: string[]): Promise<void>;
  /**
   * Optional: start writing a change that must not be visible yet, such as an import the catalog store is
   * still committing, so the two writes overlap. Later writes wait until it is settled. Undefined when the
   * engine cannot hold a write back or the change is too small to be worth it: write it after, as usual.
   */
  stage?(change: IndexChange): StagedIndexWrite | undefined;
  /** Never throws on odd user text: bad input yields an empty result. */
  search(query: SearchQuery): Promise<SearchResult>;
  /**
   * Replace everything with `docs` and record `fingerprint`, all or nothing: if reading `docs` fails, the
   * previous contents and fingerprint stay.
   */
  rebuild(docs: AsyncIterable<SearchDocument[]> | SearchDocument[], fingerprint: string): Promise<void>;
  /** The fingerprint of the last completed rebuild, undefined when the index was never built. */
  fingerprint(): Promise<string | undefined>;
  /**
   * Record what the index now holds after incremental upserts and deletes, so the next start-up does not
   * rebuild for nothing. Call it only after those writes completed: a crash in between leaves the old
   * fingerprint, and start-up then rebuilds, which is the safe side.
   */
  recordFingerprint(fingerprint: string): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 100;

export function effectiveLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.max(1, Math.min(MAX_LIMIT, Math.floor(limit)));
}
