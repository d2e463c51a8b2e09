import { describe, expect, it } from "vitest";
import { GraphNameResolver } from "./graph-resolver.ts";
import { boundedEditDistance } from "./edit-distance.ts";
import { NameIndex, normaliseName } from "./name-index.ts";
import { smallGraph } from "../../../test/fixtures/catalog-commands/small-catalog.ts";

const resolver = new GraphNameResolver(smallGraph());

describe("GraphNameResolver", () => {
  it("finds a full ref in any case", async () => {
    expect(await resolver.resolve("Component:Default/Payments-API")).toEqual({
      status: "found",
      ref: "component:default/payments-api",
    });
  });

  it("fills in the kind from the command and the default namespace", async () => {
    expect(await resolver.resolve("default/team-payments", { kinds: ["group"] })).toEqual({
      status: "found",
      ref: "group:default/team-payments",
    });
    expect(await resolver.resolve("ops/billing")).toEqual({ status: "found", ref: "component:ops/billing" });
  });

  it("finds a bare name, ignoring case, quotes and a trailing question mark", async () => {
    expect(await resolver.resolve("PAYMENTS-API?")).toEqual({
      status: "found",
      ref: "component:default/payments-api",
    });
    expect(await resolver.resolve("`team-payments`")).toEqual({
      status: "found",
      ref: "group:default/team-payments",
    });
  });

  it("prefers component over api for a shared name, unless the command asks for a kind", async () => {
    expect(await resolver.resolve("ledger")).toEqual({ status: "found", ref: "component:default/ledger" });
    expect(await resolver.resolve("ledger", { kinds: ["api"] })).toEqual({
      status: "found",
      ref: "api:default/ledger",
    });
  });

  it("finds names written with spaces or underscores, and titles", async () => {
    expect(await resolver.resolve("payments api")).toEqual({
      status: "found",
      ref: "component:default/payments-api",
    });
    expect(await resolver.resolve("Payments_API")).toEqual({
      status: "found",
      ref: "component:default/payments-api",
    });
    expect(await resolver.resolve("Payments Team")).toEqual({
      status: "found",
      ref: "group:default/team-payments",
    });
  });

  it("calls the same name in two non-default namespaces ambiguous", async () => {
    const result = await resolver.resolve("billing");
    expect(result).toEqual({
      status: "ambiguous",
      candidates: ["component:finance/billing", "component:ops/billing"],
    });
  });

  it("offers near misses by typo and by prefix, best first", async () => {
    const typo = await resolver.resolve("paymnets-api");
    expect(typo.status).toBe("missing");
    expect(typo.status !== "found" && typo.candidates[0]).toBe("component:default/payments-api");

    const prefix = await resolver.resolve("payments");
    expect(prefix.status).toBe("found"); // the system's exact name wins over prefixes
    const partial = await resolver.resolve("checkout");
    expect(partial).toEqual({ status: "missing", candidates: ["component:default/checkout-web"] });
  });

  it("puts the asked-for kinds first among near misses", async () => {
    const result = await resolver.resolve("team-paymnts", { kinds: ["group"] });
    expect(result.status !== "found" && result.candidates[0]).toBe("group:default/team-payments");
    const full = await resolver.resolve("component:default/paymnts-api");
    expect(full.status !== "found" && full.candidates).toContain("component:default/payments-api");
  });

  it("answers missing with no candidates when nothing is close", async () => {
    expect(await resolver.resolve("zzzzzzzz")).toEqual({ status: "missing", candidates: [] });
    expect(await resolver.resolve("   ")).toEqual({ status: "missing", candidates: [] });
  });
});

describe("name index", () => {
  it("normalises what people type into name shape", () => {
    expect(normaliseName("  Payments  API ")).toBe("payments-api");
    expect(normaliseName("payments__api")).toBe("payments-api");
    expect(normaliseName("v1.2 api")).toBe("v1.2-api");
  });

  it("computes Damerau-Levenshtein distance with a cut-off", () => {
    expect(boundedEditDistance("payments", "payments", 2)).toBe(0);
    expect(boundedEditDistance("paymnets", "payments", 2)).toBe(1);
    expect(boundedEditDistance("pymnets", "payments", 2)).toBe(2);
    expect(boundedEditDistance("ledger", "payments", 2)).toBe(3);
    expect(boundedEditDistance("", "ab", 2)).toBe(2);
  });

  it("limits near misses to five and ranks closer names first", () => {
    const index = new NameIndex();
    for (const name of ["svc-a", "svc-b", "svc-c", "svc-d", "svc-e", "svc-f", "svc-ab"]) {
      index.add(`component:default/${name}`, name);
    }
    const near = index.near("svc-a", 5);
    expect(near).toHaveLength(5);
    expect(near.map((n) => n.key)).toEqual(["svc-b", "svc-c", "svc-d", "svc-e", "svc-f"]);
    index.remove("component:default/svc-b", "svc-b");
    expect(index.near("svc-a", 5).map((n) => n.key)).toEqual(["svc-c", "svc-d", "svc-e", "svc-f", "svc-ab"]);
    expect(index.near("svc-a", 5).at(-1)).toMatchObject({ prefix: true, distance: 1 });
  });
});
