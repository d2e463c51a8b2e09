import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { contractDocuments } from "../../test/fixtures/search/documents.ts";
import { EmbeddedSearchIndex } from "./embedded-index.ts";
import { SearchIndexing, type IndexSource, type IndexUpdates } from "./indexing.ts";
import type { SearchDocument } from "./search-index.ts";

/** A source over a list it owns; `push` is what it was given at connect. */
class ListSource implements IndexSource {
  updates: IndexUpdates | undefined;
  connects = 0;
  constructor(
    readonly id: string,
    public docs: SearchDocument[],
    private readonly batched = false,
  ) {}
  documents(): AsyncIterable<SearchDocument[]> | SearchDocument[] {
    if (!this.batched) return this.docs;
    const docs = this.docs;
    return (async function* () {
      for (const doc of docs) yield [doc];
    })();
  }
  fingerprintItems() {
    return this.docs.map((d) => ({ id: d.id, hash: d.text }));
  }
  connect(updates: IndexUpdates) {
    this.connects++;
    this.updates = updates;
  }
}

const section = (id: string, text: string): SearchDocument => ({
  id: `component:default/payments-api#runbook#${id}`,
  type: "doc",
  ref: "component:default/payments-api",
  kind: "component",
  name: "payments-api",
  title: id,
  text,
  tags: [],
  namespace: "default",
});

const ids = async (index: EmbeddedSearchIndex, q: string) =>
  (await index.search({ q })).hits.map((h) => h.id);

describe("SearchIndexing", () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("rebuilds from every source when the index does not match them, and only then", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "cb-indexing-")), "search.db");
    dirs.push(join(path, ".."));
    const entities = new ListSource(
      "catalog",
      contractDocuments.filter((d) => d.type === "entity"),
    );
    const docs = new ListSource("docs", [section("rotate-keys", "Rotate the signing keys quarterly.")], true);
    const index = new EmbeddedSearchIndex(path);
    const indexing = new SearchIndexing(index, () => [entities, docs]);
    expect(await indexing.start()).toBe(entities.docs.length + 1);
    expect(await ids(index, "ledger")).toContain("component:default/ledger");
    expect(await ids(index, "quarterly")).toEqual([docs.docs[0]!.id]);
    await index.close();

    // A restart with the same sources finds it current; a change in one source makes it rebuild.
    const reopened = new EmbeddedSearchIndex(path);
    expect(await new SearchIndexing(reopened, () => [entities, docs]).start()).toBeUndefined();
    docs.docs = [section("rotate-keys", "Rotate the signing keys monthly.")];
    expect(await new SearchIndexing(reopened, () => [entities, docs]).start()).toBe(entities.docs.length + 1);
    expect(await ids(reopened, "monthly")).toEqual([docs.docs[0]!.id]);
    expect(await ids(reopened, "quarterly")).toEqual([]);
    await reopened.close();
  });

  it("connects each source once, after the check; a change it pushes is searchable and recorded", async () => {
    const index = new EmbeddedSearchIndex(":memory:");
    const docs = new ListSource("docs", [section("a", "Alpha")]);
    const indexing = new SearchIndexing(index, () => [docs]);
    expect(docs.connects).toBe(0);
    await indexing.start();
    await indexing.start();
    expect(docs.connects).toBe(1);

    const added = section("b", "Bravo zeppelin");
    docs.docs = [...docs.docs, added];
    await docs.updates!.apply({ upsert: [added], delete: [] });
    expect(await ids(index, "zeppelin")).toEqual([added.id]);
    expect(await index.fingerprint()).toBe(indexing.fingerprint());

    docs.docs = [added];
    await docs.updates!.apply({ upsert: [], delete: [section("a", "").id] });
    expect(await ids(index, "alpha")).toEqual([]);
    expect(await index.fingerprint()).toBe(indexing.fingerprint());
    expect(await indexing.reindex()).toBe(1);
    await index.close();
  });

  it("stages a large change and records the fingerprint only once it is committed", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "cb-indexing-")), "search.db");
    dirs.push(join(path, ".."));
    const index = new EmbeddedSearchIndex(path, { offThreadFrom: 2 });
    const docs = new ListSource("docs", []);
    const indexing = new SearchIndexing(index, () => [docs]);
    await indexing.start();
    const before = await index.fingerprint();

    const batch = [section("x", "Xylophone tuning"), section("y", "Yodel practice")];
    const staged = docs.updates!.stage({ upsert: batch, delete: [] });
    expect(staged).toBeDefined();
    docs.docs = batch;
    expect(await ids(index, "xylophone")).toEqual([]);
    expect(await index.fingerprint()).toBe(before);
    await staged!.commit();
    expect(await ids(index, "xylophone")).toEqual([batch[0]!.id]);
    expect(await index.fingerprint()).toBe(indexing.fingerprint());
    // Small changes are not staged: the source applies them once stored.
    expect(docs.updates!.stage({ upsert: [section("z", "Zebra")], delete: [] })).toBeUndefined();
    await index.close();
  });
});
