import { describe, expect, it } from "vitest";
import { documentKey, filterString, MeiliSearchIndex, snippetOf } from "./meilisearch-index.ts";
import { searchIndexContract } from "./search-index.contract.ts";

const url = process.env.MEILISEARCH_URL;

describe("Meilisearch helpers", () => {
  it("makes keys Meilisearch accepts from any ref or doc id", () => {
    const key = documentKey("component:default/payments-api#runbook#rotate-secrets");
    expect(key).toMatch(/^[A-Za-z0-9_-]{1,511}$/);
    expect(documentKey("component:default/payments-api")).not.toBe(key);
  });

  it("quotes filter values so they cannot change the filter's meaning", () => {
    expect(filterString({ kind: ["API"], owner: ['group:default/x" OR kind = "y'] })).toBe(
      'kind IN ["api"] AND owner IN ["group:default/x\\" or kind = \\"y"]',
    );
    expect(filterString({})).toBeUndefined();
  });
});

if (!url) {
  console.warn(
    "MEILISEARCH_URL is not set: skipping the SearchIndex contract against Meilisearch " +
      "(set MEILISEARCH_URL and MEILISEARCH_API_KEY to run it against your server).",
  );
}

describe.skipIf(!url)("Meilisearch engine (MEILISEARCH_URL set)", () => {
  searchIndexContract("meilisearch", async () =>
    MeiliSearchIndex.open({
      url: url!,
      ...(process.env.MEILISEARCH_API_KEY ? { apiKey: process.env.MEILISEARCH_API_KEY } : {}),
      // A uid per run, so the suite never touches an operator's real index.
      indexUid: `callboard_contract_${process.pid}_${Date.now()}`,
    }),
  );
});

describe("Meilisearch's formatted text", () => {
  it("becomes plain text with the offsets of the words between the markers", () => {
    const snippet = snippetOf("…reads \u0001Kafka\u0002 *events*\n and \u0001kafka\u0002_x …");
    expect(snippet.text).toBe("…reads Kafka *events* and kafka_x …");
    expect(snippet.matches.map(([start, end]) => snippet.text.slice(start, end))).toEqual(["Kafka", "kafka"]);
  });
});
