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

/** Where a fingerprint's items come from: an index source's id and its documents' ids and content hashes. */
export interface FingerprintPart {
  source: string;
  items: Iterable<{ id: string; hash: string }>;
}

/**
 * A fingerprint of what the index should hold: each index source's id with its documents' ids and content
 * hashes. Order does not matter. Bump `version` when a document's shape changes (entityToDocument, the doc
 * sections), so an upgrade rebuilds too.
 */
export function searchFingerprint(parts: Iterable<FingerprintPart>, version = "2"): string {
  const hash = createHash("sha256").update(`search-documents-v${version}\n`);
  const sorted = [...parts].sort((a, b) => compareIds(a.source, b.source));
  for (const part of sorted) {
    hash.update(`source\u0000${part.source}\n`);
    // Sorted by id, which orders `id NUL hash` lines the same (ids are unique and NUL sorts first), without
    // building a line per entity: 100k transient strings at start-up grew the heap the process then kept.
    const items = [...part.items].sort((a, b) => compareIds(a.id, b.id));
    for (const item of items) hash.update(item.id).update("\u0000").update(item.hash).update("\n");
  }
  return hash.digest("hex");
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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
