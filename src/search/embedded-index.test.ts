import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { contractDocuments } from "../../test/fixtures/search/documents.ts";
import { EmbeddedSearchIndex } from "./embedded-index.ts";
import { WriterThread } from "./index-writer-thread.ts";
import { searchIndexContract } from "./search-index.contract.ts";
import type { SearchDocument } from "./search-index.ts";

const dir = mkdtempSync(join(tmpdir(), "callboard-search-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

searchIndexContract(
  "embedded (SQLite FTS5, file)",
  async () => new EmbeddedSearchIndex(join(dir, "contract.db")),
);
searchIndexContract("embedded (SQLite FTS5, :memory:)", async () => new EmbeddedSearchIndex(":memory:"));
// Every upsert through the writer thread, as a large import's are.
let threaded = 0;
searchIndexContract(
  "embedded (SQLite FTS5, file, upserts on the writer thread)",
  async () => new EmbeddedSearchIndex(join(dir, `threaded-${threaded++}.db`), { offThreadFrom: 1 }),
);

describe("EmbeddedSearchIndex persistence", () => {
  it("reopens a file with its documents, vocabulary and fingerprint", async () => {
    const path = join(dir, "reopen.db");
    const first = new EmbeddedSearchIndex(path);
    await first.rebuild(contractDocuments, "fp-1");
    await first.close();
    const second = new EmbeddedSearchIndex(path);
    expect(await second.fingerprint()).toBe("fp-1");
    // A typo needs the vocabulary, which must come back from the file.
    expect((await second.search({ q: "paymnets-api" })).hits[0]?.id).toBe("component:default/payments-api");
    await second.close();
  });

  it("writes a large upsert on the writer thread and learns its words for typos", async () => {
    const index = new EmbeddedSearchIndex(join(dir, "large.db"), { offThreadFrom: 2 });
    await index.upsert(contractDocuments);
    expect((await index.search({ q: "paymnets-api" })).hits[0]?.id).toBe("component:default/payments-api");
    await index.close();
  });

  it("applies writes in the order they were made, though the first runs for a while on the writer thread", async () => {
    const index = new EmbeddedSearchIndex(join(dir, "ordered.db"), { offThreadFrom: 2 });
    const [first, second] = contractDocuments;
    // Not awaited in between: the delete and the small upsert must land after the large upsert, not before.
    const large = index.upsert(contractDocuments);
    const removal = index.delete([first!.id]);
    const retitled = index.upsert([{ ...second!, title: "Renamed while indexing" }]);
    await Promise.all([large, removal, retitled]);
    expect((await index.search({ q: first!.name })).hits.map((h) => h.id)).not.toContain(first!.id);
    const hit = (await index.search({ q: second!.name })).hits.find((h) => h.id === second!.id);
    expect(hit?.title).toBe("Renamed while indexing");
    await index.close();
  });

  it("reports a failed writer-thread write and keeps what the index held", async () => {
    const path = join(dir, "failing.db");
    const index = new EmbeddedSearchIndex(path, { offThreadFrom: 2 });
    await index.upsert(contractDocuments.slice(0, 1));
    // A document the writer cannot store (no name to tokenise) fails the thread's one transaction.
    const broken = [
      ...contractDocuments,
      { ...contractDocuments[0]!, id: "x", name: undefined as unknown as string },
    ];
    await expect(index.upsert(broken)).rejects.toThrow(/Search index write failed/);
    const all = await index.search({ q: contractDocuments[1]!.name });
    expect(all.hits.map((h) => h.id)).not.toContain(contractDocuments[1]!.id);
    expect((await index.search({ q: contractDocuments[0]!.name })).hits[0]?.id).toBe(
      contractDocuments[0]!.id,
    );
    await index.close();
  });

  it("has no fingerprint before the first rebuild, so start-up knows to build", async () => {
    const index = new EmbeddedSearchIndex(join(dir, "fresh.db"));
    expect(await index.fingerprint()).toBeUndefined();
    expect((await index.search({ q: "anything" })).hits).toEqual([]);
    await index.close();
  });
});

describe("EmbeddedSearchIndex staged writes (an import the catalog store is still committing)", () => {
  const [payments, ...rest] = contractDocuments;
  const ids = async (index: EmbeddedSearchIndex, q: string) =>
    (await index.search({ q })).hits.map((h) => h.id);

  /** An index holding payments-api, and a writer thread that has written the rest (and deleted it) undecided. */
  async function writtenUndecided(file: string) {
    const path = join(dir, file);
    const index = new EmbeddedSearchIndex(path);
    await index.upsert([payments!]);
    const thread = new WriterThread(path, { upsert: rest, delete: [payments!.id] });
    await thread.written;
    return { index, thread };
  }

  it("keeps a written change invisible until it is committed", async () => {
    const { index, thread } = await writtenUndecided("staged-thread.db");
    // Every write is made; the index's own connection still reads the index as it was.
    expect(await ids(index, payments!.name)).toContain(payments!.id);
    expect(await ids(index, rest[0]!.name)).not.toContain(rest[0]!.id);
    await thread.commit();
    expect(await ids(index, payments!.name)).not.toContain(payments!.id);
    expect(await ids(index, rest[0]!.name)).toContain(rest[0]!.id);
    await index.close();
  });

  it("rolls back a change that was written in full and then thrown away", async () => {
    const { index, thread } = await writtenUndecided("staged-rollback.db");
    await thread.abort();
    expect(await ids(index, payments!.name)).toContain(payments!.id);
    expect(await ids(index, rest[0]!.name)).not.toContain(rest[0]!.id);
    // The thread's write lock went with it: the index takes writes again.
    await index.upsert([rest[0]!]);
    expect(await ids(index, rest[0]!.name)).toContain(rest[0]!.id);
    await index.close();
  });

  it("commits a staged change, and writes made meanwhile land after it", async () => {
    const index = new EmbeddedSearchIndex(join(dir, "staged-commit.db"), { offThreadFrom: 2 });
    await index.upsert([payments!]);
    const staged = index.stage({ upsert: rest, delete: [payments!.id] });
    expect(staged).toBeDefined();
    const later = index.upsert([{ ...rest[0]!, title: "Retitled after the import" }]);
    // Written in full on the writer thread, and still not visible here.
    expect(await staged!.written).toBe(true);
    expect(await ids(index, rest[0]!.name)).not.toContain(rest[0]!.id);
    expect(await ids(index, payments!.name)).toContain(payments!.id);
    await staged!.commit();
    await later;
    expect(await ids(index, payments!.name)).not.toContain(payments!.id);
    const hit = (await index.search({ q: rest[0]!.name })).hits.find((h) => h.id === rest[0]!.id);
    expect(hit?.title).toBe("Retitled after the import");
    // The typo vocabulary learnt the committed words.
    expect(await ids(index, "ledgr")).toContain(rest.find((d) => d.name === "ledger")?.id);
    await index.close();
  });

  it("leaves the index, its words and later writes as they were when a staged change is thrown away", async () => {
    const index = new EmbeddedSearchIndex(join(dir, "staged-abort.db"), { offThreadFrom: 2 });
    await index.upsert([payments!]);
    const staged = index.stage({ upsert: rest, delete: [payments!.id] })!;
    const later = index.upsert([{ ...payments!, title: "Retitled after the abort" }]);
    expect(await staged.written).toBe(true);
    await staged.abort();
    await later;
    const hit = (await index.search({ q: payments!.name })).hits.find((h) => h.id === payments!.id);
    expect(hit?.title).toBe("Retitled after the abort");
    expect(await ids(index, rest[0]!.name)).not.toContain(rest[0]!.id);
    expect(await ids(index, "ledgr")).toEqual([]);
    await index.close();
  });

  it("stops a large staged write part-way when it is thrown away, and rolls back what it wrote", async () => {
    const index = new EmbeddedSearchIndex(join(dir, "staged-stopped.db"), { offThreadFrom: 2 });
    await index.upsert([payments!]);
    // Many batches: the stop flag is set while the thread is still starting, so it stops at the first look.
    const many = Array.from({ length: 30_000 }, (_, i) => ({
      ...rest[i % rest.length]!,
      id: `component:default/copy-${i}`,
      name: `copy-${i}`,
    }));
    const staged = index.stage({ upsert: many, delete: [payments!.id] })!;
    await staged.started;
    await staged.abort();
    expect(await staged.written).toBe(false);
    expect(await ids(index, payments!.name)).toContain(payments!.id);
    expect((await index.search({ q: "copy" })).total).toBe(0);
    // Neither the thread nor its write lock is left behind.
    await index.upsert([many[0]!]);
    expect(await ids(index, "copy-0")).toContain("component:default/copy-0");
    await index.close();
  });

  it("rejects the commit of a staged change that could not be written, and keeps what the index held", async () => {
    const index = new EmbeddedSearchIndex(join(dir, "staged-failing.db"), { offThreadFrom: 2 });
    await index.upsert([payments!]);
    const broken = { ...rest[0]!, id: "x", name: undefined as unknown as string };
    const staged = index.stage({ upsert: [...rest, broken], delete: [payments!.id] })!;
    await expect(staged.commit()).rejects.toThrow(/Search index write failed/);
    expect(await ids(index, payments!.name)).toContain(payments!.id);
    expect(await ids(index, rest[0]!.name)).not.toContain(rest[0]!.id);
    await index.close();
  });

  it("does not stage what is small enough to write after, nor an index in memory", async () => {
    const file = new EmbeddedSearchIndex(join(dir, "staged-small.db"), { offThreadFrom: 10 });
    expect(file.stage({ upsert: [payments!], delete: [] })).toBeUndefined();
    await file.close();
    const memory = new EmbeddedSearchIndex(":memory:", { offThreadFrom: 1 });
    expect(memory.stage({ upsert: contractDocuments, delete: [] })).toBeUndefined();
    await memory.close();
  });
});

describe("EmbeddedSearchIndex bounds", () => {
  const many = (count: number): SearchDocument[] =>
    Array.from({ length: count }, (_, i) => ({
      id: `component:default/svc-${i}`,
      type: "entity",
      ref: `component:default/svc-${i}`,
      kind: i % 2 === 0 ? "component" : "api",
      name: `svc-${i}`,
      title: `svc-${i}`,
      text: "Shared platform service.",
      tags: ["java"],
      owner: `group:default/team-${i % 7}`,
      namespace: "default",
    }));

  it("lists, counts and facets a broad match over at most 1,000 documents", async () => {
    const index = new EmbeddedSearchIndex(":memory:");
    await index.rebuild(many(2_500), "fp");
    const sum = (counts: Record<string, number> | undefined) =>
      Object.values(counts ?? {}).reduce((a, b) => a + b, 0);
    for (const query of [
      { q: "", filters: { tag: ["java"] }, facets: true },
      { q: "shared platform", facets: true },
    ]) {
      const result = await index.search(query);
      expect(result.total, query.q).toBe(1_000);
      expect(sum(result.facets?.kind), query.q).toBe(1_000);
      expect(sum(result.facets?.tag), query.q).toBe(1_000);
      expect(result.hits.length, query.q).toBeGreaterThan(0);
    }
    // Below the cap the counts stay exact.
    const narrow = await index.search({ q: "", filters: { owner: ["group:default/team-3"] }, facets: true });
    expect(narrow.total).toBe(Math.ceil((2_500 - 3) / 7));
    expect(sum(narrow.facets?.kind)).toBe(narrow.total);
    await index.close();
  });
});
