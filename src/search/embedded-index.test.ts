import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { contractDocuments } from "../../test/fixtures/search/documents.ts";
import { EmbeddedSearchIndex } from "./embedded-index.ts";
import { searchIndexContract } from "./search-index.contract.ts";

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
