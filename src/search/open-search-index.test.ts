import { describe, expect, it } from "vitest";
import { contractDocuments } from "../../test/fixtures/search/documents.ts";
import { EmbeddedSearchIndex } from "./embedded-index.ts";
import { ensureFresh, openSearchIndex, searchFingerprint } from "./open-search-index.ts";

describe("openSearchIndex", () => {
  it("opens the embedded engine when no Meilisearch URL is configured", async () => {
    const index = await openSearchIndex({ path: ":memory:" });
    expect(index).toBeInstanceOf(EmbeddedSearchIndex);
    await index.close();
  });

  it("names the URL when Meilisearch cannot be reached", async () => {
    await expect(openSearchIndex({ meilisearchUrl: "http://127.0.0.1:9" })).rejects.toThrow(
      /Meilisearch at http:\/\/127\.0\.0\.1:9 is not reachable.*MEILISEARCH_URL/,
    );
  });
});

describe("ensureFresh", () => {
  it("rebuilds only when the catalog's fingerprint changed", async () => {
    const index = await openSearchIndex({ path: ":memory:" });
    const v1 = searchFingerprint([
      { source: "docs", items: contractDocuments.map((d) => ({ id: d.id, hash: "h1" })) },
    ]);
    expect(await ensureFresh(index, v1, () => contractDocuments)).toBe(true);
    expect(await ensureFresh(index, v1, () => contractDocuments)).toBe(false);
    const v2 = searchFingerprint([
      {
        source: "docs",
        items: [...contractDocuments.map((d) => ({ id: d.id, hash: "h1" })), { id: "x", hash: "y" }],
      },
    ]);
    expect(v2).not.toBe(v1);
    expect(await ensureFresh(index, v2, () => contractDocuments)).toBe(true);
    expect(await index.fingerprint()).toBe(v2);
    await index.close();
  });

  it("ignores the order items arrive in", () => {
    const a = [
      { id: "a", hash: "1" },
      { id: "b", hash: "2" },
    ];
    const b = [{ id: "c", hash: "3" }];
    expect(
      searchFingerprint([
        { source: "catalog", items: a },
        { source: "docs", items: b },
      ]),
    ).toBe(
      searchFingerprint([
        { source: "docs", items: b },
        { source: "catalog", items: [...a].reverse() },
      ]),
    );
  });

  it("tells the sources apart: the same items from another source are another fingerprint", () => {
    const items = [{ id: "a", hash: "1" }];
    expect(searchFingerprint([{ source: "catalog", items }])).not.toBe(
      searchFingerprint([{ source: "docs", items }]),
    );
  });
});
