import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { contractDocuments } from "../../test/fixtures/search/documents.ts";
import { EmbeddedSearchIndex } from "./embedded-index.ts";
import { IndexMerger } from "./index-merger.ts";

const dir = mkdtempSync(join(tmpdir(), "callboard-merge-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ftsConfig(path: string): Record<string, unknown> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare("SELECT k, v FROM fts_config").all() as Array<{ k: string; v: unknown }>;
    return Object.fromEntries(rows.map((row) => [row.k, row.v]));
  } finally {
    db.close();
  }
}

describe("merging the embedded index's segments off the bot's thread", () => {
  it("keeps FTS5 from merging inside a write, in a new file, a rebuilt one and one written before", async () => {
    const path = join(dir, "config.db");
    const index = new EmbeddedSearchIndex(path);
    expect(ftsConfig(path)).toMatchObject({ automerge: 0, crisismerge: 1000 });
    await index.rebuild(contractDocuments, "fp");
    expect(ftsConfig(path)).toMatchObject({ automerge: 0, crisismerge: 1000 });
    await index.close();
    // A file from before: FTS5's defaults (automerge 4, crisismerge 16) until the bot opens it.
    const db = new Database(path);
    db.exec(
      "INSERT INTO fts (fts, rank) VALUES ('automerge', 4); INSERT INTO fts (fts, rank) VALUES ('crisismerge', 16);",
    );
    db.close();
    await new EmbeddedSearchIndex(path).close();
    expect(ftsConfig(path)).toMatchObject({ automerge: 0, crisismerge: 1000 });
  });

  it("merges the segments small writes left, round by round until nothing is left, and search still finds everything", async () => {
    const path = join(dir, "rounds.db");
    const index = new EmbeddedSearchIndex(path);
    // Five one-document writes: five segments, fewer than the writes that start a merge on their own.
    for (const doc of contractDocuments.slice(0, 5)) await index.upsert([doc]);
    const merger = new IndexMerger(path);
    try {
      expect(await merger.round(500)).toBe(true);
      let rounds = 1;
      while (await merger.round(500)) rounds++;
      expect(rounds).toBeLessThan(20);
      expect(await merger.round(500)).toBe(false);
    } finally {
      await merger.close();
    }
    for (const doc of contractDocuments.slice(0, 5)) {
      expect((await index.search({ q: doc.name })).hits.map((h) => h.id)).toContain(doc.id);
    }
    await index.close();
  });

  it("says what went wrong when the index file is not there, and can be closed after", async () => {
    const merger = new IndexMerger(join(dir, "missing", "search.db"));
    await expect(merger.round(500)).rejects.toThrow(/exited|unable to open|directory does not exist/i);
    await merger.close();
  });

  it("merges on its own as writes go on, and every write lands", async () => {
    const path = join(dir, "auto.db");
    const index = new EmbeddedSearchIndex(path);
    const writes = [];
    for (let i = 0; i < 30; i++) {
      const doc = contractDocuments[i % contractDocuments.length]!;
      writes.push(index.upsert([{ ...doc, title: `${doc.title ?? doc.name} v${i}` }]));
    }
    await Promise.all(writes);
    const last = contractDocuments[29 % contractDocuments.length]!;
    const hit = (await index.search({ q: last.name })).hits.find((h) => h.id === last.id);
    expect(hit?.title).toMatch(/ v29$/);
    await index.close();
  });
});
