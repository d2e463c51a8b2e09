import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractDocuments } from "../../test/fixtures/search/documents.ts";
import { EmbeddedSearchIndex } from "../search/embedded-index.ts";
import { SearchEntityResolver } from "./search-resolver.ts";

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
        match: "exact",
      });
    }
  });

  it("takes a single clear typo match as meant: who owns paymnets-api", async () => {
    // "corrected", so the answer can say it showed payments-api for what was typed.
    expect(await resolver.resolve("paymnets-api")).toEqual({
      status: "found",
      ref: "component:default/payments-api",
      match: "corrected",
    });
    expect(await resolver.resolve("notfications-service?")).toEqual({
      status: "found",
      ref: "component:default/notifications-service",
      match: "corrected",
    });
  });

  it("suggests rather than answers when the only match is in a description", async () => {
    // "refunds" appears only in payments-api's description: answering "who owns refunds" with
    // payments-api's owner would state something nobody asked. Nor is it "ambiguous": there is one
    // candidate, and it is not a match.
    expect(await resolver.resolve("refunds")).toEqual({
      status: "missing",
      candidates: ["component:default/payments-api"],
    });
  });

  it("suggests the entities a prefix fits: none is an exact match to choose between", async () => {
    const result = await resolver.resolve("paym");
    expect(result.status).toBe("missing");
    expect(result.status !== "found" && result.candidates).toEqual(
      expect.arrayContaining(["component:default/payments-api", "component:default/payments-gateway"]),
    );
    expect(result.status !== "found" && result.candidates.length).toBeLessThanOrEqual(5);
  });

  it("narrows to the kinds asked for, e.g. owners", async () => {
    expect(await resolver.resolve("team-paymnets", { kinds: ["group", "user"] })).toEqual({
      status: "found",
      ref: "group:default/team-payments",
      match: "corrected",
    });
    expect(await resolver.resolve("ledger", { kinds: ["api"] })).toEqual({
      status: "missing",
      candidates: [],
    });
  });

  it("takes a typed kind as a filter: api:payments-api is not the component", async () => {
    const result = await resolver.resolve("api:payments-api");
    expect(result.status).toBe("missing");
    expect(result.status !== "found" && result.candidates).not.toContain("component:default/payments-api");
    expect(await resolver.resolve("api:paymnets-grpc")).toEqual({
      status: "found",
      ref: "api:default/payments-grpc",
      match: "corrected",
    });
  });

  it("calls one name shared by two kinds ambiguous", async () => {
    const shared = new EmbeddedSearchIndex(":memory:");
    const api = contractDocuments.find((d) => d.ref === "api:default/payments-grpc")!;
    await shared.rebuild(
      [...contractDocuments, { ...api, id: "api:default/ledger", ref: "api:default/ledger", name: "ledger" }],
      "t",
    );
    expect(await new SearchEntityResolver(shared).resolve("ledger")).toEqual({
      status: "ambiguous",
      candidates: expect.arrayContaining(["component:default/ledger", "api:default/ledger"]),
    });
    shared.close();
  });

  it("says missing when nothing is close, and survives odd input", async () => {
    for (const q of ["zzzzqqqq", "", "???", '" OR 1=1 --', "🚀"]) {
      expect(await resolver.resolve(q), q).toEqual({ status: "missing", candidates: [] });
    }
  });
});
