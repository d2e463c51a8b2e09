import type Database from "better-sqlite3";
import { tokenize } from "./query-text.ts";
import { facetTokens } from "./search-filters.ts";
import { StatementCache } from "./statement-cache.ts";
import type { SearchDocument } from "./search-index.ts";

/**
 * Writes documents into the embedded index's tables. One class for the three writers: the index's own
 * connection (small changes), a rebuild's fresh file, and the writer thread that takes large changes off the
 * event loop (index-writer-thread.ts).
 */
export class IndexWriter {
  private readonly statements: StatementCache;

  constructor(private readonly db: Database.Database) {
    this.statements = new StatementCache(db);
  }

  /** Insert or replace documents by id, in one transaction. */
  upsert(docs: SearchDocument[]): void {
    this.db.transaction(() => this.upsertInOpenTransaction(docs))();
  }

  /**
   * As upsert, inside a transaction the caller holds open. No savepoint of its own: FTS5 flushes its pending
   * terms to a new segment at every savepoint, which made a large write's batches ~25 % slower.
   */
  upsertInOpenTransaction(docs: SearchDocument[]): void {
    // Best first, as a rebuild orders them: rowid order is the order candidates are found in.
    const ordered = docs.length > 1 ? [...docs].sort(bestFirst) : docs;
    for (const doc of ordered) this.replace(doc);
  }

  delete(ids: string[]): void {
    this.db.transaction(() => this.deleteInOpenTransaction(ids))();
  }

  deleteInOpenTransaction(ids: string[]): void {
    const find = this.statement("SELECT rowid FROM docs WHERE id = ?");
    for (const id of ids) {
      const row = find.get(id) as { rowid: number } | undefined;
      if (row) this.remove(row.rowid);
    }
  }

  /** Add a document the table does not hold yet (a rebuild's fresh file). */
  insert(doc: SearchDocument): void {
    const info = this.statement(
      "INSERT INTO docs (id, type, kind, owner, lifecycle, name_key, json) VALUES (?, ?, ?, ?, ?, ?, ?)",
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
    this.statement("INSERT INTO fts (rowid, name, title, tags, text, facets) VALUES (?, ?, ?, ?, ?, ?)").run(
      rowid,
      isEntity ? doc.name : "",
      doc.title,
      [...doc.tags, ...(isEntity ? [] : [doc.name])].join(" "),
      doc.text,
      facetTokens(doc).join(" "),
    );
    const insertTag = this.statement("INSERT OR IGNORE INTO doc_tags (tag, rowid) VALUES (?, ?)");
    for (const tag of new Set(doc.tags.map((t) => t.toLowerCase()))) insertTag.run(tag, rowid);
  }

  private replace(doc: SearchDocument): void {
    const existing = this.statement("SELECT rowid FROM docs WHERE id = ?").get(doc.id) as
      { rowid: number } | undefined;
    if (existing) this.remove(existing.rowid);
    this.insert(doc);
  }

  private remove(rowid: number): void {
    this.statement("DELETE FROM fts WHERE rowid = ?").run(rowid);
    this.statement("DELETE FROM doc_tags WHERE rowid = ?").run(rowid);
    this.statement("DELETE FROM docs WHERE rowid = ?").run(rowid);
  }

  private statement(sql: string): Database.Statement {
    return this.statements.get(sql);
  }
}

/** Rowid order is the candidates' order (see candidates()): entities, then short names, then the rest. */
export function bestFirst(a: SearchDocument, b: SearchDocument): number {
  return (
    (a.type === "entity" ? 0 : 1) - (b.type === "entity" ? 0 : 1) ||
    a.name.length - b.name.length ||
    a.title.length - b.title.length ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** The words a document adds to the typo vocabulary. */
export function documentTerms(doc: SearchDocument): string[] {
  // Most entities' title is their name: its words once are enough.
  const fields =
    doc.title === doc.name ? [doc.name, doc.text, ...doc.tags] : [doc.name, doc.title, doc.text, ...doc.tags];
  return fields.flatMap((field) => tokenize(field, 2_000, Infinity));
}
