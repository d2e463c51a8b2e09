/**
 * Chooses the engine from configuration: Meilisearch when a URL is given, otherwise the embedded SQLite FTS5
 * index in its own file. Also the start-up check that keeps stale results from being served silently.
 */
import { createHash } from "node:crypto";
import { DEFAULT_SEARCH_DB, EmbeddedSearchIndex } from "./embedded-index.ts";
import { MeiliSearchIndex } from "./meilisearch-index.ts";
import type { SearchDocument, SearchIndex } from "./search-index.ts";

export interface SearchConfig {
  /** MEILISEARCH_URL; when set, Meilisearch is used. */
  meilisearchUrl?: string;
  /** MEILISEARCH_API_KEY. */
  meilisearchApiKey?: string;
  meilisearchIndex?: string;
  /** Embedded index file (default ./data/search.db; ':memory:' for tests). */
  path?: string;
}

export async function openSearchIndex(config: SearchConfig): Promise<SearchIndex> {
  if (config.meilisearchUrl) {
    return MeiliSearchIndex.open({
      url: config.meilisearchUrl,
      ...(config.meilisearchApiKey ? { apiKey: config.meilisearchApiKey } : {}),
      ...(config.meilisearchIndex ? { indexUid: config.meilisearchIndex } : {}),
    });
  }
  return new EmbeddedSearchIndex(config.path ?? DEFAULT_SEARCH_DB);
}

/**
 * A fingerprint of what the index should hold: entity refs with their content hashes, plus anything else
 * indexed (doc section ids and hashes). Order does not matter. Include a version when the document shape
 * (entityToDocument) changes, so an upgrade triggers a rebuild too.
 */
export function searchFingerprint(items: Iterable<{ id: string; hash: string }>, version = "1"): string {
  // Sorted by id, which orders `id NUL hash` lines the same (ids are unique and NUL sorts first), without
  // building a line per entity: 100k transient strings at start-up grew the heap the process then kept.
  const sorted = [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const hash = createHash("sha256").update(`search-documents-v${version}\n`);
  for (const item of sorted) hash.update(item.id).update("\u0000").update(item.hash).update("\n");
  return hash.digest("hex");
}

/**
 * Rebuild when the stored fingerprint differs from `expected`; returns whether it rebuilt. Call before
 * serving, so start-up never answers from a stale index.
 */
export async function ensureFresh(
  index: SearchIndex,
  expected: string,
  documents: () => AsyncIterable<SearchDocument[]> | SearchDocument[],
): Promise<boolean> {
  if ((await index.fingerprint()) === expected) return false;
  await index.rebuild(documents(), expected);
  return true;
}
