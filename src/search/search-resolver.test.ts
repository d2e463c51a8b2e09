import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractDocuments } from "../../test/fixtures/search/documents.ts";
import { EmbeddedSearchIndex } from "./embedded-index.ts";
import { editDistance, SearchEntityResolver } from "./search-resolver.ts";

describe("SearchEntityResolver (embedded index)", () => {
  const index = new EmbeddedSearchIndex(":memory:");
  const resolver = new SearchEntityResolver(index);
  beforeAll(() => index.rebuild(contractDocuments, "t"));
  afterAll(() => index.close());

  it("finds exact refs and exact names, whatever the case or spelling of the separator", async () => {
    for (const q of [
      "component:default/payments-api",
      "component:payments-api",
      "Payments-API",
      "payments api",
    ]) {
      expect(await resolver.resolve(q), q).toEqual({
        status: "found",
        ref: "component:default/payments-api",
      });
    }
  });

  it("takes a single clear typo match as meant: who owns paymnets-api", async () => {
    expect(await resolver.resolve("paymnets-api")).toEqual({
      status: "found",
      ref: "component:default/payments-api",
    });
    expect(await resolver.resolve("notfications-service?")).toEqual({
      status: "found",
      ref: "component:default/notifications-service",
    });
  });

  it("asks rather than answers when the only match is in a description", async () => {
    // "refunds" appears only in payments-api's description: answering "who owns refunds" with
    // payments-api's owner would state something nobody asked.
    expect(await resolver.resolve("refunds")).toEqual({
      status: "ambiguous",
      candidates: ["component:default/payments-api"],
    });
  });

  it("offers candidates when several entities fit a prefix equally", async () => {
    const result = await resolver.resolve("paym");
    expect(result.status).toBe("ambiguous");
    expect(result.status !== "found" && result.candidates).toEqual(
      expect.arrayContaining(["component:default/payments-api", "component:default/payments-gateway"]),
    );
    expect(result.status !== "found" && result.candidates.length).toBeLessThanOrEqual(5);
  });

  it("narrows to the kinds asked for, e.g. owners", async () => {
    expect(await resolver.resolve("team-paymnets", { kinds: ["group", "user"] })).toEqual({
      status: "found",
      ref: "group:default/team-payments",
    });
    expect(await resolver.resolve("ledger", { kinds: ["api"] })).toEqual({
      status: "missing",
      candidates: [],
    });
  });

  it("says missing when nothing is close, and survives odd input", async () => {
    for (const q of ["zzzzqqqq", "", "???", '" OR 1=1 --', "🚀"]) {
      expect(await resolver.resolve(q), q).toEqual({ status: "missing", candidates: [] });
    }
  });
});

describe("editDistance", () => {
  it("counts a swap of neighbours as one edit", () => {
    expect(editDistance("paymnets api", "payments api")).toBe(1);
    expect(editDistance("ledger", "ledger")).toBe(0);
    expect(editDistance("abc", "")).toBe(3);
  });
});
