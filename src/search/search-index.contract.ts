/**
 * The behaviour every SearchIndex engine must show. Each engine's test file calls searchIndexContract once;
 * nothing here knows which engine it is talking to.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractDocuments } from "../../test/fixtures/search/documents.ts";
import type { SearchDocument, SearchIndex, SearchQuery } from "./search-index.ts";

export function searchIndexContract(name: string, makeIndex: () => Promise<SearchIndex>): void {
  describe(`SearchIndex contract: ${name}`, () => {
    let index: SearchIndex;
    const names = async (query: SearchQuery | string): Promise<string[]> => {
      const result = await index.search(typeof query === "string" ? { q: query } : query);
      return result.hits.map((h) => h.id);
    };

    beforeAll(async () => {
      index = await makeIndex();
      await index.rebuild(contractDocuments, "contract-v1");
    });
    afterAll(async () => {
      await index?.close();
    });

    it("records the fingerprint of the last rebuild", async () => {
      expect(await index.fingerprint()).toBe("contract-v1");
    });

    it("records the fingerprint after incremental writes, keeping the documents", async () => {
      await index.recordFingerprint("contract-v1-plus-writes");
      expect(await index.fingerprint()).toBe("contract-v1-plus-writes");
      expect((await index.search({ q: "payments-api" })).hits.length).toBeGreaterThan(0);
      await index.recordFingerprint("contract-v1");
    });

    it("finds an exact name first, hyphenated or spelled as words", async () => {
      for (const q of ["payments-api", "payments api", "Payments-API"]) {
        expect((await names(q))[0], q).toBe("component:default/payments-api");
      }
    });

    it("finds by prefix as a person types", async () => {
      const hits = await names("paym");
      expect(hits.slice(0, 3)).toContain("component:default/payments-api");
      expect(await names("notif")).toContain("component:default/notifications-service");
    });

    it("tolerates one typo from five characters", async () => {
      expect((await names("paymnets-api"))[0]).toBe("component:default/payments-api");
      expect((await names("lefger"))[0]).toBe("component:default/ledger");
    });

    it("tolerates two typos from nine characters", async () => {
      expect((await names("notfcations"))[0]).toBe("component:default/notifications-service");
    });

    it("does not stretch short words into typos", async () => {
      // "ldgr" is four characters: no typo budget, and no word starts with it.
      expect(await names("ldgr")).toEqual([]);
    });

    it("matches several words anywhere in the document", async () => {
      expect((await names("kafka consumer"))[0]).toBe("component:default/orders-consumer");
      expect((await names("card refunds"))[0]).toBe("component:default/payments-api");
    });

    it("ranks an exact name above word matches in other names and descriptions", async () => {
      const hits = await names("ledger");
      expect(hits[0]).toBe("component:default/ledger");
      expect(hits.indexOf("component:default/ledger-archive")).toBeGreaterThan(0);
      expect(hits.indexOf("component:default/orders-consumer")).toBeGreaterThan(
        hits.indexOf("component:default/ledger-archive"),
      );
    });

    it("filters by kind, owner, tag, lifecycle and type", async () => {
      expect(await names({ q: "payments", filters: { kind: ["api"] } })).toEqual([
        "api:default/payments-grpc",
      ]);
      const owned = await names({
        q: "",
        filters: { owner: ["group:default/team-payments"], type: ["entity"] },
      });
      expect(owned.sort()).toEqual([
        "api:default/payments-grpc",
        "component:default/payments-api",
        "component:default/payments-gateway",
      ]);
      expect((await names({ q: "payments", filters: { tag: ["grpc"] } })).sort()).toEqual([
        "api:default/payments-grpc",
        "component:default/payments-api",
      ]);
      expect(await names({ q: "payments", filters: { lifecycle: ["experimental"] } })).toEqual([
        "component:default/payments-gateway",
      ]);
      expect(await names({ q: "rotate secrets", filters: { type: ["doc"] } })).toEqual([
        "component:default/payments-api#runbook#rotate-secrets",
      ]);
    });

    it("counts facets by kind, owner and tag over the whole match", async () => {
      const result = await index.search({ q: "payments", facets: true, filters: { type: ["entity"] } });
      expect(result.facets?.kind).toMatchObject({ component: 2, api: 1 });
      expect(result.facets?.owner).toMatchObject({ "group:default/team-payments": 3 });
      expect(result.facets?.tag).toMatchObject({ grpc: 2, java: 1, go: 1 });
      expect(result.total).toBeGreaterThanOrEqual(3);
    });

    it("returns doc sections with their url and owning entity", async () => {
      const result = await index.search({ q: "rotate secrets" });
      const doc = result.hits[0];
      expect(doc?.type).toBe("doc");
      expect(doc?.ref).toBe("component:default/payments-api");
      expect(doc?.url).toContain("#rotate-secrets");
    });

    it("gives the matching passage as plain text, with the matched words' offsets", async () => {
      const result = await index.search({ q: "kafka" });
      const snippet = result.hits[0]?.snippet;
      expect(snippet?.text).toContain("Kafka");
      expect(snippet?.text).not.toMatch(/\*\*|\\/);
      expect(snippet?.matches.length).toBeGreaterThan(0);
      const matched = snippet!.matches.map(([start, end]) => snippet!.text.slice(start, end).toLowerCase());
      expect(matched).toContain("kafka");
      for (const [start, end] of snippet!.matches) expect(start).toBeLessThan(end);
    });

    it("returns a snippet exactly as the document has it: no escaping, no markup", async () => {
      const doc: SearchDocument = {
        ...contractDocuments[0]!,
        id: "component:default/marked-service",
        ref: "component:default/marked-service",
        name: "marked-service",
        title: "marked-service",
        text: "Settles *quokka* payouts_v2 for [partners](x) <b>now</b>.",
      };
      await index.upsert([doc]);
      const snippet = (await index.search({ q: "quokka" })).hits[0]?.snippet;
      expect(snippet?.text).toBe("Settles *quokka* payouts_v2 for [partners](x) <b>now</b>.");
      expect(snippet?.matches).toEqual([[9, 15]]);
      await index.delete([doc.id]);
    });

    it("sees updates and deletes", async () => {
      const doc: SearchDocument = {
        ...contractDocuments[0]!,
        id: "component:default/tmp-service",
        ref: "component:default/tmp-service",
        name: "tmp-service",
        title: "tmp-service",
        text: "Handles zeppelin bookings.",
      };
      await index.upsert([doc]);
      expect(await names("zeppelin")).toEqual(["component:default/tmp-service"]);
      await index.upsert([{ ...doc, text: "Handles airship bookings." }]);
      expect(await names("zeppelin")).toEqual([]);
      expect(await names("airship")).toEqual(["component:default/tmp-service"]);
      await index.delete(["component:default/tmp-service", "component:default/never-there"]);
      expect(await names("airship")).toEqual([]);
    });

    it("answers odd input with a result, never an error or injected syntax", async () => {
      const odd = [
        "x".repeat(10_000),
        "payments ".repeat(1_500),
        "!!! ??? ... ---",
        '"payments',
        "payments NEAR(api, 2)",
        "pay* AND NOT api OR -ledger",
        "name:ledger",
        "{name text}: ledger",
        "^ledger",
        "🚀🔥",
        "Zürich café 東京",
        "'; DROP TABLE docs; --",
        "\u0000\u0001",
        "",
        "   ",
      ];
      for (const q of odd) {
        const result = await index.search({ q });
        expect(Array.isArray(result.hits), q.slice(0, 20)).toBe(true);
        expect(result.total).toBeGreaterThanOrEqual(0);
      }
      expect(await names("!!! ??? ... ---")).toEqual([]);
      expect(await names("🚀🔥")).toEqual([]);
      // Operators are plain words: "name:ledger" searches the words "name" and "ledger".
      expect(await names("pay* AND NOT api OR -ledger")).not.toContain("this cannot match");
      expect((await names("ledger!!!"))[0]).toBe("component:default/ledger");
      expect((await index.search({ q: "zzzzqqqq" })).total).toBe(0);
      // The catalog is still intact after all that.
      expect((await names("ledger"))[0]).toBe("component:default/ledger");
    });

    it("keeps the old contents when a rebuild fails halfway", async () => {
      async function* failing(): AsyncIterable<SearchDocument[]> {
        yield [contractDocuments[0]!];
        throw new Error("database went away");
      }
      await expect(index.rebuild(failing(), "contract-v2")).rejects.toThrow("database went away");
      expect(await index.fingerprint()).toBe("contract-v1");
      expect((await names("ledger"))[0]).toBe("component:default/ledger");
    });

    it("rebuilds from batches and replaces everything", async () => {
      async function* batches(): AsyncIterable<SearchDocument[]> {
        yield contractDocuments.slice(0, 4);
        yield contractDocuments.slice(4);
      }
      await index.rebuild(batches(), "contract-v3");
      expect(await index.fingerprint()).toBe("contract-v3");
      expect((await names("ledger"))[0]).toBe("component:default/ledger");
    });
  });
}
