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

  it("has no fingerprint before the first rebuild, so start-up knows to build", async () => {
    const index = new EmbeddedSearchIndex(join(dir, "fresh.db"));
    expect(await index.fingerprint()).toBeUndefined();
    expect((await index.search({ q: "anything" })).hits).toEqual([]);
    await index.close();
  });
});
