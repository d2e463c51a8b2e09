/**
 * The Meilisearch engine, used when MEILISEARCH_URL is configured: same documents, same contract as the
 * embedded engine. Settings come from code (applied on open), documents go in batches, and every task is
 * awaited: a failed task becomes an Error naming the task, its type, its index and Meilisearch's reason.
 */
import { createHash, randomUUID } from "node:crypto";
import { Meilisearch, type Index, type Settings, type Task, type EnqueuedTaskPromise } from "meilisearch";
import { snippetFrom, type Snippet, type SnippetPart } from "./highlight.ts";
import { tokenize } from "./query-text.ts";
import {
  effectiveLimit,
  type SearchDocument,
  type SearchFilters,
  type SearchIndex,
  type SearchQuery,
  type SearchResult,
  type SearchResultHit,
} from "./search-index.ts";
import { count } from "../text/grammar.ts";

export interface MeiliSearchOptions {
  url: string;
  apiKey?: string;
  /** Index uid; `<uid>_meta` holds the fingerprint and `<uid>_rebuild_<random>` is used while rebuilding. */
  indexUid?: string;
  /** How long to wait for one task (default 60 s). */
  taskTimeoutMs?: number;
}

/** What is stored: the document plus a Meilisearch-safe key and the fields ranking needs split out. */
interface StoredDocument extends SearchDocument {
  key: string;
  /** The entity's own name; empty for doc sections so they never outrank the entity by name. */
  entityName: string;
  /** The owning entity's name for doc sections; empty for entities. */
  parentName: string;
}

const BATCH = 1_000;
const PRE = "\u0001";
const POST = "\u0002";

export const MEILISEARCH_SETTINGS: Settings = {
  searchableAttributes: ["entityName", "title", "tags", "parentName", "text"],
  filterableAttributes: ["type", "kind", "owner", "tags", "lifecycle", "namespace", "ref"],
  sortableAttributes: ["name", "kind"],
  rankingRules: ["words", "typo", "proximity", "attribute", "exactness", "sort"],
  typoTolerance: { enabled: true, minWordSizeForTypos: { oneTypo: 5, twoTypos: 9 } },
  faceting: { maxValuesPerFacet: 100 },
  pagination: { maxTotalHits: 1_000 },
};

/** Meilisearch keys allow only [A-Za-z0-9_-]; entity refs and doc ids have ':', '/' and '#'. */
export function documentKey(id: string): string {
  return createHash("sha256").update(id).digest("base64url").slice(0, 43);
}

export class MeiliSearchIndex implements SearchIndex {
  private readonly client: Meilisearch;
  private readonly uid: string;
  private readonly timeout: number;

  private constructor(options: MeiliSearchOptions) {
    this.client = new Meilisearch({
      host: options.url,
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    });
    this.uid = options.indexUid ?? "callboard";
    this.timeout = options.taskTimeoutMs ?? 60_000;
  }

  /** Connect, create the index if needed and apply the settings from code. */
  static async open(options: MeiliSearchOptions): Promise<MeiliSearchIndex> {
    const index = new MeiliSearchIndex(options);
    try {
      await index.client.health();
    } catch (error) {
      throw new Error(
        `Meilisearch at ${options.url} is not reachable (${(error as Error).message}); check MEILISEARCH_URL and MEILISEARCH_API_KEY.`,
        { cause: error },
      );
    }
    await index.prepare(index.uid);
    return index;
  }

  async upsert(docs: SearchDocument[]): Promise<void> {
    await this.addAll(this.index(this.uid), docs);
  }

  async delete(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.wait(this.index(this.uid).deleteDocuments(ids.map(documentKey)), `delete from ${this.uid}`);
  }

  async rebuild(
    docs: AsyncIterable<SearchDocument[]> | SearchDocument[],
    fingerprint: string,
  ): Promise<void> {
    // Build beside the live index and swap: searches keep working, and a failure leaves the old index.
    // Each rebuild has its own staging index, so replicas rebuilding at once never drop each other's.
    const staging = `${this.uid}_rebuild_${randomUUID().slice(0, 8)}`;
    await this.dropIndex(staging);
    try {
      await this.prepare(staging);
      const index = this.index(staging);
      if (Array.isArray(docs)) await this.addAll(index, docs);
      else for await (const batch of docs) await this.addAll(index, batch);
      await this.wait(
        this.client.swapIndexes([{ indexes: [this.uid, staging], rename: false }]),
        "swap indexes",
      );
    } finally {
      await this.dropIndex(staging);
    }
    await this.recordFingerprint(fingerprint);
  }

  async recordFingerprint(fingerprint: string): Promise<void> {
    await this.wait(
      this.client.index(`${this.uid}_meta`).addDocuments([{ key: "fingerprint", value: fingerprint }], {
        primaryKey: "key",
      }),
      "record fingerprint",
    );
  }

  async fingerprint(): Promise<string | undefined> {
    try {
      const doc = await this.client.index(`${this.uid}_meta`).getDocument("fingerprint");
      return typeof doc.value === "string" ? doc.value : undefined;
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    // The client holds no connections of its own (fetch), so there is nothing to release.
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    const limit = effectiveLimit(query.limit);
    // Our own tokens only: Meilisearch reads quotes as phrases and a leading '-' as negation.
    const q = tokenize(typeof query.q === "string" ? query.q : "").join(" ");
    const filter = filterString(query.filters);
    if (q === "" && filter === undefined) return { hits: [], total: 0 };
    const response = await this.index(this.uid).search(q, {
      limit,
      ...(filter ? { filter } : {}),
      ...(query.facets ? { facets: ["kind", "owner", "tags"] } : {}),
      ...(q === "" ? { sort: ["name:asc"] } : {}),
      attributesToHighlight: ["text", "title", "entityName"],
      attributesToCrop: ["text"],
      cropLength: 30,
      cropMarker: "…",
      highlightPreTag: PRE,
      highlightPostTag: POST,
      showRankingScore: true,
    });
    const hits = response.hits.map((raw) => {
      const {
        key: _key,
        entityName: _e,
        parentName: _p,
        _formatted,
        _rankingScore,
        ...doc
      } = raw as StoredDocument & {
        _formatted?: Partial<Record<string, unknown>>;
        _rankingScore?: number;
      };
      const hit: SearchResultHit = { ...doc, score: q === "" ? 0 : (_rankingScore ?? 0) };
      const formatted = [_formatted?.text, _formatted?.title, _formatted?.entityName].find(
        (v): v is string => typeof v === "string" && v.includes(PRE),
      );
      if (formatted) hit.snippet = snippetOf(formatted);
      return hit;
    });
    const result: SearchResult = { hits, total: response.estimatedTotalHits ?? hits.length };
    if (query.facets) {
      const d = response.facetDistribution ?? {};
      result.facets = { kind: d.kind ?? {}, owner: d.owner ?? {}, tag: d.tags ?? {} };
    }
    return result;
  }

  private index(uid: string): Index<StoredDocument> {
    return this.client.index<StoredDocument>(uid);
  }

  private async prepare(uid: string): Promise<void> {
    const indexes = await this.client.getIndexes({ limit: 1_000 });
    if (!indexes.results.some((i) => i.uid === uid)) {
      await this.wait(this.client.createIndex(uid, { primaryKey: "key" }), `create index ${uid}`);
    }
    await this.wait(this.index(uid).updateSettings(MEILISEARCH_SETTINGS), `settings of ${uid}`);
  }

  private async addAll(index: Index<StoredDocument>, docs: SearchDocument[]): Promise<void> {
    for (let i = 0; i < docs.length; i += BATCH) {
      const batch = docs.slice(i, i + BATCH).map(toStored);
      await this.wait(
        index.addDocuments(batch, { primaryKey: "key" }),
        `add ${count(batch.length, "document")} to ${index.uid}`,
      );
    }
  }

  private async dropIndex(uid: string): Promise<void> {
    const indexes = await this.client.getIndexes({ limit: 1_000 });
    if (indexes.results.some((i) => i.uid === uid)) {
      await this.wait(this.client.deleteIndex(uid), `delete index ${uid}`);
    }
  }

  private async wait(promise: EnqueuedTaskPromise, what: string): Promise<Task> {
    const task = await promise.waitTask({ timeout: this.timeout });
    if (task.status !== "succeeded") {
      const reason = task.error ? `${task.error.message} [${task.error.code}]` : "no reason given";
      throw new Error(`Meilisearch task ${task.uid} (${task.type}, ${what}) ${task.status}: ${reason}`);
    }
    return task;
  }
}

function toStored(doc: SearchDocument): StoredDocument {
  const entity = doc.type === "entity";
  return {
    ...doc,
    key: documentKey(doc.id),
    entityName: entity ? doc.name.replace(/-/g, " ") : "",
    parentName: entity ? "" : doc.name.replace(/-/g, " "),
  };
}

/** Filter values are quoted as JSON strings, which Meilisearch's filter syntax accepts verbatim. */
export function filterString(filters: SearchFilters | undefined): string | undefined {
  const clauses: string[] = [];
  const add = (attribute: string, values: readonly string[] | undefined, lower = true) => {
    const list = (values ?? [])
      .filter((v) => typeof v === "string")
      .map((v) => (lower ? v.toLowerCase() : v));
    if (list.length > 0) clauses.push(`${attribute} IN [${list.map((v) => JSON.stringify(v)).join(", ")}]`);
  };
  add("type", filters?.type);
  add("kind", filters?.kind);
  add("owner", filters?.owner);
  add("lifecycle", filters?.lifecycle);
  add("tags", filters?.tag);
  return clauses.length === 0 ? undefined : clauses.join(" AND ");
}

/** Meilisearch's formatted text, matches between our own marker characters, as plain text and offsets. */
export function snippetOf(formatted: string): Snippet {
  const parts: SnippetPart[] = [];
  formatted.split(PRE).forEach((part, i) => {
    const end = i === 0 ? -1 : part.indexOf(POST);
    if (end < 0) {
      parts.push({ text: part.replaceAll(POST, ""), match: false });
      return;
    }
    parts.push(
      { text: part.slice(0, end), match: true },
      { text: part.slice(end + POST.length), match: false },
    );
  });
  return snippetFrom(parts);
}
