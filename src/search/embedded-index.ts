/**
 * The embedded engine: SQLite FTS5 (through better-sqlite3) in its own file, plus a typo layer.
 *
 * FTS5 gives exact and prefix matching and bm25; it has no typo tolerance, so every query term is widened
 * with the index's own terms within Meilisearch's typo budget (TypoVocabulary). Terms are tokenised here and
 * each is quoted, so nothing a person types reaches FTS5's query language as syntax. Ranking is done here on
 * the best bm25 candidates: exact name, then name by words, then prefix, then typos, then title and tags, then
 * description (see rankDocument).
 *
 * The file is derived state (rebuilt from the database), so schema changes simply drop it and the
 * fingerprint, and start-up sees that a rebuild is needed.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { highlight, type WordMatcher } from "./highlight.ts";
import { tokenize, typoBudget } from "./query-text.ts";
import {
  effectiveLimit,
  type SearchDocument,
  type SearchFacets,
  type SearchFilters,
  type SearchIndex,
  type SearchQuery,
  type SearchResult,
  type SearchResultHit,
} from "./search-index.ts";
import { TypoVocabulary } from "./typo-vocabulary.ts";

export const DEFAULT_SEARCH_DB = "./data/search.db";
const SCHEMA_VERSION = "2";
const BATCH = 1_000;
/** Terms a document contributes to the vocabulary; long texts add nothing new past this. */
const MAX_DOC_TERMS = 2_000;

interface Row {
  rowid: number;
  json: string;
}

/** How one query term may match a document word. */
interface TermMatcher {
  term: string;
  prefix: boolean;
  typos: Map<string, number>;
}

export class EmbeddedSearchIndex implements SearchIndex {
  private readonly db: Database.Database;
  private readonly vocabulary = new TypoVocabulary();
  private readonly statements = new Map<string, Database.Statement>();

  /** Open (creating if needed) the index file; ':memory:' keeps it in memory. */
  constructor(path: string = DEFAULT_SEARCH_DB) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("cache_size = -32000");
    this.ensureSchema();
    this.loadVocabulary();
  }

  async upsert(docs: SearchDocument[]): Promise<void> {
    if (docs.length === 0) return;
    this.db.transaction(() => {
      for (const doc of docs) this.write(doc);
    })();
    for (const doc of docs) this.vocabulary.add(documentTerms(doc));
  }

  async delete(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const find = this.statement("SELECT rowid FROM docs WHERE id = ?");
    this.db.transaction(() => {
      for (const id of ids) {
        const row = find.get(id) as { rowid: number } | undefined;
        if (row) this.remove(row.rowid);
      }
    })();
  }

  async rebuild(
    docs: AsyncIterable<SearchDocument[]> | SearchDocument[],
    fingerprint: string,
  ): Promise<void> {
    // One transaction across the whole read: if the source fails halfway, the old index and fingerprint stay.
    this.db.exec("BEGIN IMMEDIATE");
    try {
      this.dropTables();
      this.createTables();
      if (Array.isArray(docs)) {
        for (let i = 0; i < docs.length; i += BATCH) this.insertBatch(docs.slice(i, i + BATCH));
      } else {
        for await (const batch of docs) this.insertBatch(batch);
      }
      this.db.exec("INSERT INTO fts(fts) VALUES('optimize')");
      this.setMeta("fingerprint", fingerprint);
      this.db.exec("COMMIT");
    } catch (error) {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
      throw error;
    } finally {
      this.statements.clear();
    }
    this.loadVocabulary();
  }

  async fingerprint(): Promise<string | undefined> {
    const row = this.statement("SELECT value FROM meta WHERE key = 'fingerprint'").get() as
      { value: string } | undefined;
    return row?.value;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    const limit = effectiveLimit(query.limit);
    const terms = tokenize(typeof query.q === "string" ? query.q : "");
    const filter = filterSql(query.filters);
    if (terms.length === 0) {
      return filter.sql === "" ? { hits: [], total: 0 } : this.listFiltered(filter, limit, query.facets);
    }
    const matchers = terms.map((term, i) => this.matcherFor(term, i === terms.length - 1));
    let match = matchExpression(matchers, " AND ");
    let found = this.candidates(match, filter, Math.max(50, limit * 5));
    if (found.total === 0 && matchers.length > 1) {
      // Like Meilisearch's matching strategy: when no document has every word, rank those that have some.
      match = matchExpression(matchers, " OR ");
      found = this.candidates(match, filter, Math.max(50, limit * 5));
    }
    const byRow = new Map<number, string>(found.rows.map((r) => [r.rowid, r.json]));
    for (const row of this.exactNameRows(terms.join(" "), filter)) byRow.set(row.rowid, row.json);

    const queryKey = terms.join(" ");
    const ranked = [...byRow.entries()].map(([rowid, json]) => {
      const doc = JSON.parse(json) as SearchDocument;
      return { doc, score: rankDocument(doc, queryKey, matchers) + (found.bm25.get(rowid) ?? 0) };
    });
    ranked.sort(
      (a, b) => b.score - a.score || a.doc.name.localeCompare(b.doc.name) || a.doc.id.localeCompare(b.doc.id),
    );
    const matches = wordMatcher(matchers);
    const hits: SearchResultHit[] = ranked.slice(0, limit).map(({ doc, score }) => {
      const hit: SearchResultHit = { ...doc, score: Math.round(score * 1000) / 1000 };
      const text =
        highlight(doc.text, matches) ?? highlight(doc.title, matches) ?? highlight(doc.name, matches);
      if (text) hit.highlight = text;
      return hit;
    });
    const result: SearchResult = { hits, total: Math.max(found.total, byRow.size) };
    if (query.facets) result.facets = this.facets(match, filter);
    return result;
  }

  // --- querying ---

  private matcherFor(term: string, last: boolean): TermMatcher {
    const typos = new Map<string, number>();
    const budget = typoBudget(term);
    // A word the index knows is taken as meant; widening it would only add noise and time.
    if (budget > 0 && !this.vocabulary.has(term)) {
      for (const c of this.vocabulary.near(term, budget, 48)) typos.set(c.term, c.distance);
    }
    return { term, prefix: last && term.length >= 2, typos };
  }

  private candidates(
    match: string,
    filter: FilterSql,
    take: number,
  ): { rows: Row[]; bm25: Map<number, number>; total: number } {
    let ranked: { rowid: number; rank: number }[];
    let total: number;
    try {
      const from = filter.sql === "" ? "fts" : "fts JOIN docs d ON d.rowid = fts.rowid";
      const where = `fts MATCH ? ${filter.sql}`;
      ranked = this.statement(
        `SELECT fts.rowid AS rowid, fts.rank AS rank FROM ${from} WHERE ${where} ORDER BY fts.rank LIMIT ?`,
      ).all(match, ...filter.params, take) as typeof ranked;
      // Counting is a second pass over the match; only pay for it when the page is full.
      total =
        ranked.length < take
          ? ranked.length
          : (
              this.statement(`SELECT count(*) AS n FROM ${from} WHERE ${where}`).get(
                match,
                ...filter.params,
              ) as { n: number }
            ).n;
    } catch {
      // The expression is built only from quoted terms, so this is not expected; still, a person never sees it.
      return { rows: [], bm25: new Map(), total: 0 };
    }
    const bm25 = new Map<number, number>();
    for (const r of ranked) {
      const x = -r.rank;
      bm25.set(r.rowid, x > 0 ? x / (1 + x) : 0);
    }
    const rows = ranked.length === 0 ? [] : this.rowsById(ranked.map((r) => r.rowid));
    return { rows, bm25, total };
  }

  private rowsById(rowids: number[]): Row[] {
    const get = this.statement("SELECT rowid, json FROM docs WHERE rowid = ?");
    return rowids.map((id) => get.get(id) as Row | undefined).filter((r): r is Row => r !== undefined);
  }

  private exactNameRows(nameKey: string, filter: FilterSql): Row[] {
    return this.statement(
      `SELECT d.rowid AS rowid, d.json AS json FROM docs d WHERE d.name_key = ? AND d.type = 'entity' ${filter.sql} LIMIT 20`,
    ).all(nameKey, ...filter.params) as Row[];
  }

  private listFiltered(filter: FilterSql, limit: number, facets: boolean | undefined): SearchResult {
    const where = `WHERE 1 = 1 ${filter.sql}`;
    const rows = this.statement(
      `SELECT d.json AS json FROM docs d ${where} ORDER BY d.name_key, d.id LIMIT ?`,
    ).all(...filter.params, limit) as { json: string }[];
    const total = (
      this.statement(`SELECT count(*) AS n FROM docs d ${where}`).get(...filter.params) as { n: number }
    ).n;
    const result: SearchResult = {
      hits: rows.map((r) => ({ ...(JSON.parse(r.json) as SearchDocument), score: 0 })),
      total,
    };
    if (facets) result.facets = this.facets(undefined, filter);
    return result;
  }

  private facets(match: string | undefined, filter: FilterSql): SearchFacets {
    const scope = match === undefined ? "" : "AND d.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?)";
    const params = match === undefined ? filter.params : [match, ...filter.params];
    const count = (column: string, from: string): Record<string, number> => {
      const out: Record<string, number> = {};
      try {
        const rows = this.statement(
          `SELECT ${column} AS value, count(*) AS n FROM ${from} WHERE ${column} IS NOT NULL ${scope} ${filter.sql}
           GROUP BY ${column} ORDER BY n DESC, value LIMIT 100`,
        ).all(...params) as { value: string; n: number }[];
        for (const r of rows) out[r.value] = r.n;
      } catch {
        // Facets are a courtesy; a failure must not cost the person their results.
      }
      return out;
    };
    return {
      kind: count("d.kind", "docs d"),
      owner: count("d.owner", "docs d"),
      tag: count("t.tag", "doc_tags t JOIN docs d ON d.rowid = t.rowid"),
    };
  }

  // --- writing ---

  private insertBatch(batch: SearchDocument[]): void {
    for (const doc of batch) this.write(doc);
  }

  private write(doc: SearchDocument): void {
    const existing = this.statement("SELECT rowid FROM docs WHERE id = ?").get(doc.id) as
      { rowid: number } | undefined;
    if (existing) this.remove(existing.rowid);
    const tags = [...new Set(doc.tags.map((t) => t.toLowerCase()))];
    const info = this.statement(
      `INSERT INTO docs (id, type, kind, owner, lifecycle, name_key, json) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      doc.id,
      doc.type,
      doc.kind.toLowerCase(),
      doc.owner?.toLowerCase() ?? null,
      doc.lifecycle?.toLowerCase() ?? null,
      tokenize(doc.name, 64).join(" "),
      JSON.stringify(doc),
    );
    const rowid = Number(info.lastInsertRowid);
    // Doc sections carry their entity's name with the tags, so it finds them without outranking the entity.
    const isEntity = doc.type === "entity";
    this.statement("INSERT INTO fts (rowid, name, title, tags, text) VALUES (?, ?, ?, ?, ?)").run(
      rowid,
      isEntity ? doc.name : "",
      doc.title,
      [...doc.tags, ...(isEntity ? [] : [doc.name])].join(" "),
      doc.text,
    );
    const addTag = this.statement("INSERT OR IGNORE INTO doc_tags (tag, rowid) VALUES (?, ?)");
    for (const tag of tags) addTag.run(tag, rowid);
  }

  private remove(rowid: number): void {
    this.statement("DELETE FROM fts WHERE rowid = ?").run(rowid);
    this.statement("DELETE FROM doc_tags WHERE rowid = ?").run(rowid);
    this.statement("DELETE FROM docs WHERE rowid = ?").run(rowid);
  }

  // --- storage ---

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private ensureSchema(): void {
    this.db.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    const version = this.db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as
      { value: string } | undefined;
    if (version?.value === SCHEMA_VERSION) return;
    this.db.transaction(() => {
      this.dropTables();
      this.db.exec("DELETE FROM meta");
      this.createTables();
      this.setMeta("schema", SCHEMA_VERSION);
    })();
  }

  private dropTables(): void {
    this.db.exec(`
      DROP TABLE IF EXISTS fts_vocab;
      DROP TABLE IF EXISTS fts;
      DROP TABLE IF EXISTS doc_tags;
      DROP TABLE IF EXISTS docs;`);
    this.statements.clear();
  }

  private createTables(): void {
    this.db.exec(`
      CREATE TABLE docs (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        kind TEXT NOT NULL,
        owner TEXT,
        lifecycle TEXT,
        name_key TEXT NOT NULL,
        json TEXT NOT NULL
      );
      CREATE INDEX docs_name_key ON docs (name_key);
      CREATE INDEX docs_kind ON docs (kind);
      CREATE INDEX docs_owner ON docs (owner);
      CREATE TABLE doc_tags (tag TEXT NOT NULL, rowid INTEGER NOT NULL, PRIMARY KEY (tag, rowid)) WITHOUT ROWID;
      CREATE INDEX doc_tags_rowid ON doc_tags (rowid);
      CREATE VIRTUAL TABLE fts USING fts5 (
        name, title, tags, text,
        tokenize = "unicode61 remove_diacritics 2",
        prefix = '2 3'
      );
      CREATE VIRTUAL TABLE fts_vocab USING fts5vocab (fts, 'row');
      INSERT INTO fts (fts, rank) VALUES ('rank', 'bm25(10.0, 5.0, 3.0, 1.0)');`);
  }

  private setMeta(key: string, value: string): void {
    this.db
      .prepare(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      )
      .run(key, value);
  }

  private loadVocabulary(): void {
    const terms = this.db.prepare("SELECT term FROM fts_vocab").pluck().iterate() as IterableIterator<string>;
    this.vocabulary.replace(terms);
  }
}

// --- pure helpers ---

interface FilterSql {
  sql: string;
  params: string[];
}

/** Filters as SQL over `docs d`, values always bound as parameters. */
function filterSql(filters: SearchFilters | undefined): FilterSql {
  const parts: string[] = [];
  const params: string[] = [];
  const inList = (column: string, values: readonly string[] | undefined) => {
    const list = (values ?? []).filter((v) => typeof v === "string").map((v) => v.toLowerCase());
    if (list.length === 0) return;
    parts.push(`AND ${column} IN (${list.map(() => "?").join(", ")})`);
    params.push(...list);
  };
  inList("d.kind", filters?.kind);
  inList("d.owner", filters?.owner);
  inList("d.lifecycle", filters?.lifecycle);
  inList("d.type", filters?.type);
  const tags = (filters?.tag ?? []).map((t) => t.toLowerCase());
  if (tags.length > 0) {
    parts.push(
      `AND d.rowid IN (SELECT rowid FROM doc_tags WHERE tag IN (${tags.map(() => "?").join(", ")}))`,
    );
    params.push(...tags);
  }
  return { sql: parts.join(" "), params };
}

function quote(term: string): string {
  return `"${term.replace(/"/g, '""')}"`;
}

function matchExpression(matchers: TermMatcher[], join: string): string {
  return matchers
    .map((m) => {
      const alternatives = [quote(m.term)];
      if (m.prefix) alternatives.push(`${quote(m.term)}*`);
      for (const typo of m.typos.keys()) alternatives.push(quote(typo));
      return `(${alternatives.join(" OR ")})`;
    })
    .join(join);
}

/** 0 exact, 1 prefix, 2 + distance for a typo; undefined when the word does not match the term. */
function matchQuality(word: string, m: TermMatcher): number | undefined {
  if (word === m.term) return 0;
  if (m.prefix && word.startsWith(m.term)) return 1;
  const distance = m.typos.get(word);
  return distance === undefined ? undefined : 2 + distance;
}

function bestQuality(words: string[], m: TermMatcher): number | undefined {
  let best: number | undefined;
  for (const w of words) {
    const q = matchQuality(w, m);
    if (q !== undefined && (best === undefined || q < best)) best = q;
    if (best === 0) break;
  }
  return best;
}

function wordMatcher(matchers: TermMatcher[]): WordMatcher {
  return (word) => matchers.some((m) => matchQuality(word, m) !== undefined);
}

/**
 * Coarse relevance tiers (integers apart, so bm25's share in [0, 1) only breaks ties within a tier):
 * exact whole name 100; every word in the name exactly 80, by prefix 70, with typos 60 minus typos;
 * every word in title, tags or name 40 minus typos; otherwise 20 minus typos plus 2 per word found.
 */
function rankDocument(doc: SearchDocument, queryKey: string, matchers: TermMatcher[]): number {
  const nameWords = tokenize(doc.name, 64);
  if (doc.type === "entity") {
    if (nameWords.join(" ") === queryKey) return 100;
    const inName = matchers.map((m) => bestQuality(nameWords, m));
    if (inName.every((q) => q !== undefined)) {
      const worst = Math.max(...(inName as number[]));
      if (worst === 0) return 80;
      if (worst === 1) return 70;
      return 60 - typoCount(inName as number[]);
    }
  }
  const labelWords = [...nameWords, ...tokenize(doc.title, 64), ...doc.tags.flatMap((t) => tokenize(t, 8))];
  const inLabels = matchers.map((m) => bestQuality(labelWords, m));
  if (inLabels.every((q) => q !== undefined))
    return (doc.type === "entity" ? 40 : 38) - typoCount(inLabels as number[]);
  const textWords = tokenize(doc.text, 400, 20_000);
  const anywhere = matchers.map((m, i) => inLabels[i] ?? bestQuality(textWords, m));
  const found = anywhere.filter((q): q is number => q !== undefined);
  return 20 - typoCount(found) + 2 * (found.length - matchers.length);
}

function typoCount(qualities: number[]): number {
  return qualities.reduce((sum, q) => sum + (q >= 2 ? q - 2 : 0), 0);
}

function documentTerms(doc: SearchDocument): string[] {
  return [doc.name, doc.title, doc.text, ...doc.tags].flatMap((field) =>
    tokenize(field, MAX_DOC_TERMS, Infinity),
  );
}
