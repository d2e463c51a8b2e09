/**
 * The embedded engine: SQLite FTS5 (through better-sqlite3) in its own file, plus a typo layer.
 *
 * FTS5 gives exact and prefix matching; it has no typo tolerance, so every query term is widened
 * with the index's own terms within Meilisearch's typo budget (TypoVocabulary). Terms are tokenised here and
 * each is quoted, so nothing a person types reaches FTS5's query language as syntax. FTS5 finds a bounded set
 * of candidates (see candidates()); relevance.ts ranks them into tiers (exact name, name words, prefix,
 * typos, labels, descriptions).
 *
 * The file is derived state, rebuilt from the database. A rebuild writes a fresh file beside the old one and
 * renames it into place, so a failed rebuild leaves the old index and fingerprint untouched, and a schema
 * change simply starts an empty file without a fingerprint, which tells start-up to rebuild.
 */
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { highlight } from "./highlight.ts";
import { IndexMerger } from "./index-merger.ts";
import { WriterThread } from "./index-writer-thread.ts";
import { bestFirst, documentTerms, IndexWriter } from "./index-writer.ts";
import { StatementCache } from "./statement-cache.ts";
import { tokenize, typoBudget } from "./query-text.ts";
import { matchExpression, rankDocument, wordMatcher, type TermMatcher } from "./relevance.ts";
import { filterExpression, matchesFilters } from "./search-filters.ts";
import {
  effectiveLimit,
  type IndexChange,
  type SearchDocument,
  type SearchFacets,
  type SearchIndex,
  type SearchQuery,
  type SearchResult,
  type SearchResultHit,
  type StagedIndexWrite,
} from "./search-index.ts";
import { TypoVocabulary } from "./typo-vocabulary.ts";

export const DEFAULT_SEARCH_DB = "./data/search.db";
const SCHEMA_VERSION = "6";
/** Candidates ranked per query: enough that the exact and prefix names are among them. */
const CANDIDATES = 50;
/**
 * Past this many matches `total` is an estimate, like Meilisearch's estimatedTotalHits; a filter-only
 * listing and the facets look at this many matches too (best first). Over every match of a broad query
 * (`search kind:component` matches half of a 100k catalog) they held the event loop 100-700 ms.
 */
const COUNT_CAP = 1_000;
const TYPO_CANDIDATES = 48;
/**
 * FTS5 keeps a transaction's new terms in memory and writes them out as a segment when they outgrow this
 * (its default is 1 MiB). A large import's write then makes a few large segments instead of ~100 small
 * ones that FTS5 merges again as it goes: ~25 % of that write's time at 100k entities.
 */
const FTS_HASH_BYTES = 64 * 1024 * 1024;
/** Upserts this large go to a writer thread (a 100k-entity import held the event loop ~6 s inline). */
const OFF_THREAD_FROM = 2_000;
/**
 * FTS5 merges its segments as part of a write (automerge, crisis merges). After a rebuild the index is one
 * large segment, and the 15th small write after it merged into that segment on the bot's thread: 270-340 ms
 * for one webhook's change at 100k entities. A file-backed index therefore turns both off and merges on a
 * worker thread instead (index-merger.ts), once this many writes have each left a segment behind.
 */
const MERGE_AFTER_WRITES = 8;
/** A merge is up to this many rounds of this many pages (a round is ~20-60 ms of the thread's time at 100k). */
const MERGE_ROUNDS = 20;
const MERGE_PAGES = 500;
/** Segments one level may hold before FTS5 merges it inline; the merges off the thread keep it far below. */
const CRISIS_MERGE = 1_000;

export interface EmbeddedIndexOptions {
  /** Upserts of at least this many documents are written on a worker thread (file-backed indexes only). */
  offThreadFrom?: number;
}

/** The embedded engine's staged write: also says when it is under way and when it is written. */
export interface EmbeddedStagedWrite extends StagedIndexWrite {
  /** Resolves once the change has had its turn: the writer thread has it, or it was thrown away first. */
  started: Promise<void>;
  /** Whether every write was made (not yet visible); false when thrown away or failed first. */
  written: Promise<boolean>;
}

interface Row {
  rowid: number;
  json: string;
}

export class EmbeddedSearchIndex implements SearchIndex {
  private db: Database.Database;
  /** Words with a letter; numbers (version and ticket numbers, name suffixes) are kept apart in `numbers`. */
  private readonly vocabulary = new TypoVocabulary();
  private readonly numbers = new TypoVocabulary();
  private statements: StatementCache;
  private writer: IndexWriter;
  private writes: Promise<unknown> = Promise.resolve();
  private readonly offThreadFrom: number;
  /** Writes since the last merge on the worker thread, and whether one is queued or under way. */
  private unmerged = 0;
  private merging = false;
  private merger: IndexMerger | undefined;
  private closed = false;

  /** Open (creating if needed) the index file; ':memory:' keeps it in memory. */
  constructor(
    private readonly path: string = DEFAULT_SEARCH_DB,
    options: EmbeddedIndexOptions = {},
  ) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.db = openDatabase(path);
    this.statements = new StatementCache(this.db);
    this.writer = new IndexWriter(this.db);
    this.offThreadFrom = options.offThreadFrom ?? OFF_THREAD_FROM;
    this.loadVocabulary();
  }

  async upsert(docs: SearchDocument[]): Promise<void> {
    if (docs.length === 0) return;
    return this.inTurn(async () => {
      if (!this.offThread(docs.length)) {
        this.writer.upsert(docs);
        this.addTerms(docs.flatMap(documentTerms));
        this.wrote();
        return;
      }
      // The writer thread also tokenises: the typo vocabulary, which lives on this thread, only merges terms.
      this.addTerms(await new WriterThread(this.path, { upsert: docs, delete: [] }).commit());
      this.wrote();
    });
  }

  /** Count a write's new segment; after enough of them, merge on the worker thread, a round a turn. */
  private wrote(): void {
    if (this.path === ":memory:") return;
    this.unmerged++;
    if (this.unmerged < MERGE_AFTER_WRITES || this.merging) return;
    this.unmerged = 0;
    this.merging = true;
    void this.mergeRounds()
      .catch((error: Error) =>
        // Not fatal: searches stay right, only slower as segments pile up; a later write tries again.
        process.emitWarning(
          `Search index ${this.path}: merging its segments failed (${error.message}); a later write retries.`,
        ),
      )
      .finally(() => {
        this.merging = false;
      });
  }

  /**
   * Each round takes its turn like a write, so the thread's transaction never meets one of this connection's
   * in SQLite's lock (this thread would wait it out with the event loop held); writes queued meanwhile go
   * between rounds.
   */
  private async mergeRounds(): Promise<void> {
    this.merger ??= new IndexMerger(this.path);
    const merger = this.merger;
    for (let round = 0; round < MERGE_ROUNDS && !this.closed; round++) {
      if (!(await this.inTurn(async () => !this.closed && merger.round(MERGE_PAGES)))) return;
    }
  }

  /**
   * A large change is written on the writer thread inside a transaction that waits for the caller's word;
   * searches meanwhile see the index as it was. Small changes are not staged: on this connection an open
   * transaction would show them to this connection's own searches before the commit.
   */
  stage(change: IndexChange): EmbeddedStagedWrite | undefined {
    if (!this.offThread(change.upsert.length + change.delete.length)) return undefined;
    let verdict: boolean | undefined;
    let thread: WriterThread | undefined;
    let decided!: () => void;
    const decision = new Promise<void>((resolve) => (decided = resolve));
    let began!: (thread: WriterThread | undefined) => void;
    const beginning = new Promise<WriterThread | undefined>((resolve) => (began = resolve));
    const settled = this.inTurn(async () => {
      // Thrown away before its turn came: nothing to write.
      if (verdict === false) return began(undefined);
      thread = new WriterThread(this.path, change);
      began(thread);
      if (verdict !== undefined) thread.decide(verdict);
      await decision;
      if (verdict) {
        this.addTerms(await thread.commit());
        this.wrote();
      } else await thread.abort();
    });
    const settle = (commit: boolean) => {
      verdict ??= commit;
      // Straight to the thread: its commit then overlaps whatever the caller does next.
      thread?.decide(verdict);
      decided();
    };
    return {
      started: beginning.then(() => undefined),
      written: beginning.then((t) =>
        t
          ? t.written.then(
              () => true,
              () => false,
            )
          : false,
      ),
      commit: () => {
        settle(true);
        return settled;
      },
      abort: () => {
        settle(false);
        return settled.catch(() => undefined);
      },
    };
  }

  private offThread(size: number): boolean {
    return this.path !== ":memory:" && size >= this.offThreadFrom;
  }

  async delete(ids: string[]): Promise<void> {
    if (ids.length > 0)
      return this.inTurn(async () => {
        this.writer.delete(ids);
        this.wrote();
      });
  }

  /**
   * Every write waits for the one before it. A large upsert runs for seconds on the writer thread: a later
   * delete or small upsert must neither commit before it (the thread would then bring back what was
   * removed or replaced) nor wait on its lock inside SQLite, which would hold the event loop.
   */
  private inTurn<T>(write: () => Promise<T>): Promise<T> {
    const turn = this.writes.then(write, write);
    this.writes = turn.catch(() => undefined);
    return turn;
  }

  async rebuild(
    docs: AsyncIterable<SearchDocument[]> | SearchDocument[],
    fingerprint: string,
  ): Promise<void> {
    return this.inTurn(() => this.rebuildNow(docs, fingerprint));
  }

  private async rebuildNow(
    docs: AsyncIterable<SearchDocument[]> | SearchDocument[],
    fingerprint: string,
  ): Promise<void> {
    const memory = this.path === ":memory:";
    const target = memory ? ":memory:" : `${this.path}.rebuild`;
    if (!memory) rmSync(target, { force: true });
    const fresh = new Database(target);
    try {
      // Nothing reads this file until it is complete, so it needs no journal; the rename is the commit.
      fresh.pragma("journal_mode = OFF");
      fresh.pragma("synchronous = OFF");
      fresh.pragma("cache_size = -128000");
      createTables(fresh, false);
      const writer = new IndexWriter(fresh);
      const all: SearchDocument[] = [];
      if (Array.isArray(docs)) all.push(...docs);
      else for await (const batch of docs) all.push(...batch);
      all.sort(bestFirst);
      // One transaction: FTS5 then flushes its pending terms only when they outgrow FTS_HASH_BYTES.
      fresh.transaction(() => {
        for (const doc of all) writer.insert(doc);
      })();
      createSecondaryIndexes(fresh);
      fresh.exec("INSERT INTO fts (fts) VALUES ('optimize')");
      if (!memory) mergeOffTheWriter(fresh);
      setMeta(fresh, "schema", SCHEMA_VERSION);
      setMeta(fresh, "fingerprint", fingerprint);
    } catch (error) {
      fresh.close();
      if (!memory) rmSync(target, { force: true });
      throw error;
    }
    this.db.close();
    // The merger's connection has the file about to be replaced open: the next merge opens the new one.
    await this.merger?.close();
    this.merger = undefined;
    if (memory) {
      fresh.pragma("journal_mode = MEMORY");
      this.db = fresh;
    } else {
      fresh.close();
      for (const suffix of ["-wal", "-shm"]) rmSync(this.path + suffix, { force: true });
      renameSync(target, this.path);
      this.db = openDatabase(this.path);
    }
    this.statements = new StatementCache(this.db);
    this.writer = new IndexWriter(this.db);
    this.loadVocabulary();
  }

  async recordFingerprint(fingerprint: string): Promise<void> {
    return this.inTurn(async () => this.recordFingerprintNow(fingerprint));
  }

  private recordFingerprintNow(fingerprint: string): void {
    setMeta(this.db, "fingerprint", fingerprint);
  }

  async fingerprint(): Promise<string | undefined> {
    const row = this.statement("SELECT value FROM meta WHERE key = 'fingerprint'").get() as
      { value: string } | undefined;
    return row?.value;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.writes;
    await this.merger?.close();
    if (this.db.open) this.db.close();
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    const limit = effectiveLimit(query.limit);
    const terms = tokenize(typeof query.q === "string" ? query.q : "");
    const filters = filterExpression(query.filters);
    if (terms.length === 0) {
      return filters === undefined ? { hits: [], total: 0 } : this.listFiltered(query, filters, limit);
    }
    const matchers = terms.map((term, i) => this.matcherFor(term, i === terms.length - 1));
    const scoped = (words: string) => (filters ? `(${words}) AND ${filters}` : words);
    let match = scoped(matchExpression(matchers, " AND "));
    let found = this.candidates(match, scoped(matchExpression(matchers, " AND ", "name")));
    if (found.total === 0 && matchers.length > 1) {
      // Like Meilisearch's matching strategy: when no document has every word, rank those that have some.
      match = scoped(matchExpression(matchers, " OR "));
      found = this.candidates(match, scoped(matchExpression(matchers, " OR ", "name")));
    }
    const queryKey = terms.join(" ");
    const byRow = new Map<number, SearchDocument>();
    for (const row of [...found.rows, ...this.exactNameRows(queryKey)]) {
      const doc = JSON.parse(row.json) as SearchDocument;
      if (matchesFilters(doc, query.filters)) byRow.set(row.rowid, doc);
    }
    const ranked = [...byRow.values()].map((doc) => ({ doc, score: rankDocument(doc, queryKey, matchers) }));
    ranked.sort(
      (a, b) => b.score - a.score || a.doc.name.length - b.doc.name.length || compare(a.doc.id, b.doc.id),
    );
    const matches = wordMatcher(matchers);
    const hits: SearchResultHit[] = ranked.slice(0, limit).map(({ doc, score }) => {
      const hit: SearchResultHit = { ...doc, score: Math.round(score * 1000) / 1000 };
      const snippet =
        highlight(doc.text, matches) ?? highlight(doc.title, matches) ?? highlight(doc.name, matches);
      if (snippet) hit.snippet = snippet;
      return hit;
    });
    const result: SearchResult = { hits, total: Math.max(found.total, byRow.size) };
    if (query.facets) result.facets = this.facets(match);
    return result;
  }

  // --- querying ---

  private matcherFor(term: string, last: boolean): TermMatcher {
    const typos = new Map<string, number>();
    const budget = typoBudget(term);
    // A word the index knows is taken as meant; widening it would only add noise and time.
    const digits = term.replace(/\D/g, "").length;
    if (budget > 0 && !this.vocabulary.has(term) && !this.numbers.has(term)) {
      for (const c of this.vocabulary.near(term, budget, TYPO_CANDIDATES)) typos.set(c.term, c.distance);
      // A number is within `budget` edits of this term only if the term has at most `budget` letters; walking
      // the numbers otherwise is wasted time (they are half the vocabulary of a large catalog).
      if (term.length - digits <= budget) {
        for (const c of this.numbers.near(term, budget, TYPO_CANDIDATES)) typos.set(c.term, c.distance);
      }
    }
    return { term, prefix: last && term.length >= 2, typos };
  }

  /**
   * Candidates in rowid order, which a rebuild assigns best-first (entities, then shorter names): FTS5 can
   * stop after CANDIDATES rows instead of scoring every match, which is what made bm25 ordering cost ~100 ms
   * on common words. Name matches are fetched separately so a long list of description matches cannot
   * crowd them out.
   */
  private candidates(match: string, nameMatch: string): { rows: Row[]; total: number } {
    let rowids: number[];
    let total: number;
    try {
      const select = this.statement("SELECT rowid FROM fts WHERE fts MATCH ? LIMIT ?").pluck();
      const inNames = select.all(nameMatch, CANDIDATES) as number[];
      const anywhere = select.all(match, CANDIDATES) as number[];
      rowids = [...new Set([...inNames, ...anywhere])];
      // Counting is another pass over the match; only pay for it when the page is full, and cap it.
      total =
        anywhere.length < CANDIDATES
          ? anywhere.length
          : (
              this.statement("SELECT count(*) AS n FROM (SELECT 1 FROM fts WHERE fts MATCH ? LIMIT ?)").get(
                match,
                COUNT_CAP,
              ) as { n: number }
            ).n;
    } catch {
      // The expression is built only from quoted terms, so this is not expected; still, a person never sees it.
      return { rows: [], total: 0 };
    }
    const get = this.statement("SELECT rowid, json FROM docs WHERE rowid = ?");
    const rows = rowids.map((id) => get.get(id) as Row | undefined).filter((r): r is Row => r !== undefined);
    return { rows, total };
  }

  private exactNameRows(nameKey: string): Row[] {
    return this.statement("SELECT rowid, json FROM docs WHERE name_key = ? AND type = 'entity' LIMIT 20").all(
      nameKey,
    ) as Row[];
  }

  private listFiltered(query: SearchQuery, filters: string, limit: number): SearchResult {
    let rows: { json: string }[] = [];
    let total = 0;
    try {
      rows = this.statement(
        `SELECT json FROM docs WHERE rowid IN (SELECT rowid FROM fts WHERE fts MATCH ? LIMIT ?)
         ORDER BY name_key, id LIMIT ?`,
      ).all(filters, COUNT_CAP, limit * 2) as { json: string }[];
      total = (
        this.statement("SELECT count(*) AS n FROM (SELECT 1 FROM fts WHERE fts MATCH ? LIMIT ?)").get(
          filters,
          COUNT_CAP,
        ) as { n: number }
      ).n;
    } catch {
      // As in candidates(): not expected, never shown.
    }
    const hits = rows
      .map((r) => JSON.parse(r.json) as SearchDocument)
      .filter((doc) => matchesFilters(doc, query.filters))
      .slice(0, limit)
      .map((doc) => ({ ...doc, score: 0 }));
    const result: SearchResult = { hits, total };
    if (query.facets) result.facets = this.facets(filters);
    return result;
  }

  /** Counted over the first COUNT_CAP matches, best first: exact below that, like `total`. */
  private facets(match: string): SearchFacets {
    const count = (sql: string): Record<string, number> => {
      const out: Record<string, number> = {};
      try {
        for (const r of this.statement(sql).all(match, COUNT_CAP) as { value: string; n: number }[])
          out[r.value] = r.n;
      } catch {
        // Facets are a courtesy; a failure must not cost the person their results.
      }
      return out;
    };
    const scope = "rowid IN (SELECT rowid FROM fts WHERE fts MATCH ? LIMIT ?)";
    const top = "GROUP BY value ORDER BY n DESC, value LIMIT 100";
    return {
      kind: count(`SELECT kind AS value, count(*) AS n FROM docs WHERE ${scope} ${top}`),
      owner: count(
        `SELECT owner AS value, count(*) AS n FROM docs WHERE owner IS NOT NULL AND ${scope} ${top}`,
      ),
      tag: count(`SELECT tag AS value, count(*) AS n FROM doc_tags WHERE ${scope} ${top}`),
    };
  }

  private statement(sql: string): Database.Statement {
    return this.statements.get(sql);
  }

  private loadVocabulary(): void {
    // Facet tokens live only in their own column; they are never something a person meant to type.
    const terms = this.db
      .prepare("SELECT DISTINCT term FROM fts_vocab_col WHERE col <> 'facets'")
      .pluck()
      .all() as string[];
    this.vocabulary.replace(terms.filter((t) => !isNumber(t)));
    this.numbers.replace(terms.filter(isNumber));
  }

  private addTerms(terms: Iterable<string>): void {
    const distinct = [...new Set(terms)];
    this.vocabulary.add(distinct.filter((t) => !isNumber(t)));
    this.numbers.add(distinct.filter(isNumber));
  }
}

// --- storage ---

function openDatabase(path: string): Database.Database {
  const db = new Database(path);
  try {
    if (path !== ":memory:") db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("cache_size = -32000");
    db.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    const version = db.prepare("SELECT value FROM meta WHERE key = 'schema'").pluck().get() as
      string | undefined;
    if (version !== SCHEMA_VERSION) {
      // Another layout (or a new file): start empty, without a fingerprint, so the caller rebuilds.
      db.transaction(() => {
        db.exec(`
          DROP TABLE IF EXISTS fts_vocab_col;
          DROP TABLE IF EXISTS fts;
          DROP TABLE IF EXISTS doc_tags;
          DROP TABLE IF EXISTS docs;
          DELETE FROM meta;`);
        createTables(db, true);
        setMeta(db, "schema", SCHEMA_VERSION);
      })();
    }
    // An index written before merges moved off the writer gets the setting too (it is kept in the file).
    if (path !== ":memory:") mergeOffTheWriter(db);
    return db;
  } catch (error) {
    db.close();
    throw new Error(
      `Search index ${path} could not be opened (${(error as Error).message}); delete the file and rebuild the index.`,
      { cause: error },
    );
  }
}

/** FTS5 settings kept in the file: no merging inside a write; IndexMerger does it (see MERGE_AFTER_WRITES). */
function mergeOffTheWriter(db: Database.Database): void {
  const config = db.prepare("SELECT v FROM fts_config WHERE k = ?").pluck();
  if (config.get("automerge") === 0 && config.get("crisismerge") === CRISIS_MERGE) return;
  db.exec(`INSERT INTO fts (fts, rank) VALUES ('automerge', 0);
    INSERT INTO fts (fts, rank) VALUES ('crisismerge', ${CRISIS_MERGE});`);
}

/**
 * Prefix indexes for 2 and 3 characters only: those prefixes match thousands of terms, which FTS5 would
 * otherwise merge per query. Longer prefixes match few terms and are read from the main index. Each prefix
 * index is another entry per token written; dropping 4, 5 and 6 cut a 100k-entity build from 6.2 to 4.2 s
 * with search p99 no worse (bench:search: prefix queries of 3-6 characters, p99 4.58 ms before, 3.83 after).
 */
function createTables(db: Database.Database, withIndexes: boolean): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
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
    CREATE TABLE doc_tags (tag TEXT NOT NULL, rowid INTEGER NOT NULL, PRIMARY KEY (tag, rowid)) WITHOUT ROWID;
    CREATE VIRTUAL TABLE fts USING fts5 (
      name, title, tags, text, facets,
      tokenize = "unicode61 remove_diacritics 2",
      prefix = '2 3',
      detail = full
    );
    CREATE VIRTUAL TABLE fts_vocab_col USING fts5vocab (fts, 'col');
    INSERT INTO fts (fts, rank) VALUES ('rank', 'bm25(10.0, 5.0, 3.0, 1.0, 0.0)');
    INSERT INTO fts (fts, rank) VALUES ('hashsize', ${FTS_HASH_BYTES});`);
  if (withIndexes) createSecondaryIndexes(db);
}

/** Built after a bulk load: one sorted pass beats maintaining them row by row. */
function createSecondaryIndexes(db: Database.Database): void {
  db.exec(`
    CREATE INDEX IF NOT EXISTS docs_name_key ON docs (name_key);
    CREATE INDEX IF NOT EXISTS doc_tags_rowid ON doc_tags (rowid);`);
}

function setMeta(db: Database.Database, key: string, value: string): void {
  db.prepare(
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  ).run(key, value);
}

function isNumber(term: string): boolean {
  return /^[0-9]+$/.test(term);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
