import { describe, expect, it } from "vitest";
import { GraphNameResolver } from "./graph-resolver.ts";
import { NameIndex, normaliseName } from "./name-index.ts";
import { smallGraph } from "../../../test/fixtures/catalog-commands/small-catalog.ts";

const resolver = new GraphNameResolver(smallGraph());

describe("GraphNameResolver", () => {
  it("finds a full ref in any case", async () => {
    expect(await resolver.resolve("Component:Default/Payments-API")).toEqual({
      status: "found",
      ref: "component:default/payments-api",
      match: "exact",
    });
  });

  it("fills in the kind from the command and the default namespace", async () => {
    expect(await resolver.resolve("default/team-payments", { kinds: ["group"] })).toEqual({
      status: "found",
      ref: "group:default/team-payments",
      match: "exact",
    });
    expect(await resolver.resolve("ops/billing")).toEqual({
      status: "found",
      ref: "component:ops/billing",
      match: "exact",
    });
  });

  it("finds a bare name, ignoring case, quotes and a trailing question mark", async () => {
    expect(await resolver.resolve("PAYMENTS-API?")).toEqual({
      status: "found",
      ref: "component:default/payments-api",
      match: "exact",
    });
    expect(await resolver.resolve("`team-payments`")).toEqual({
      status: "found",
      ref: "group:default/team-payments",
      match: "exact",
    });
  });

  it("asks which one when a bare name belongs to several kinds, unless the command wants one of them", async () => {
    // Both the component ledger and the API ledger exist: no kind is the person's default.
    expect(await resolver.resolve("ledger")).toEqual({
      status: "ambiguous",
      candidates: ["component:default/ledger", "api:default/ledger"],
    });
    expect(await resolver.resolve("ledger", { kinds: ["api"] })).toEqual({
      status: "found",
      ref: "api:default/ledger",
      match: "exact",
    });
  });

  it("takes a kind typed in the query as a filter, suggesting the name's other kinds", async () => {
    expect(await resolver.resolve("api:ledger")).toEqual({
      status: "found",
      ref: "api:default/ledger",
      match: "exact",
    });
    // No API is called payments-api: the component of that name is a suggestion, not the answer.
    expect(await resolver.resolve("api:payments-api")).toEqual({
      status: "missing",
      candidates: ["component:default/payments-api"],
    });
    const group = await resolver.resolve("group:payments-api", { kinds: ["group"] });
    expect(group.status).toBe("missing");
    expect(group.status !== "found" && group.candidates[0]).toBe("component:default/payments-api");
    // A typed namespace filters too: ops/ledger is not default/ledger.
    expect((await resolver.resolve("ops/ledger")).status).toBe("missing");
  });

  it("finds names written with spaces or underscores, and titles", async () => {
    expect(await resolver.resolve("payments api")).toEqual({
      status: "found",
      ref: "component:default/payments-api",
      match: "exact",
    });
    expect(await resolver.resolve("Payments_API")).toEqual({
      status: "found",
      ref: "component:default/payments-api",
      match: "exact",
    });
    expect(await resolver.resolve("Payments Team")).toEqual({
      status: "found",
      ref: "group:default/team-payments",
      match: "exact",
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

  it("finds exactly the names a brute-force edit distance finds", () => {
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const letters = "abcdeps-";
    const word = (length: number) =>
      Array.from({ length }, () => letters[Math.floor(random() * letters.length)]).join("");
    const index = new NameIndex();
    const keys = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const key = normaliseName(word(3 + Math.floor(random() * 8)));
      if (key.length === 0) continue;
      keys.add(key);
      index.add(`component:default/${key}`, key);
    }
    for (let q = 0; q < 60; q++) {
      const query = normaliseName(word(3 + Math.floor(random() * 8)));
      if (query.length === 0) continue;
      const budget = Math.min(2, Math.max(1, Math.floor(query.length / 3)));
      const expected = [...keys].filter((key) => key !== query && osaDistance(query, key) <= budget).sort();
      const found = index
        .near(query, 100_000)
        .filter((n) => !n.prefix || osaDistance(query, n.key) <= budget)
        .map((n) => n.key)
        .sort();
      expect(found).toEqual(expected);
      for (const near of index.near(query, 100_000).filter((n) => !n.prefix)) {
        expect(near.distance).toBe(osaDistance(query, near.key));
      }
    }
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
    index.add("component:default/svc-abcdef", "svc-abcdef");
    // Five letters more is no typo, but the query starts it: offered after the one-edit names.
    expect(index.near("svc-a", 10).at(-1)).toMatchObject({ key: "svc-abcdef", prefix: true });
  });
});

/** Textbook optimal-string-alignment distance, unbounded and unoptimised: the oracle for the index. */
function osaDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
      }
    }
  }
  return d[a.length]![b.length]!;
}
