import { describe, expect, it } from "vitest";
import type { EntityResolver, Resolution } from "./resolver.ts";
import { firstFound, parseQuery } from "./resolver.ts";
import { GraphNameResolver } from "./graph/graph-resolver.ts";
import { smallGraph } from "../../test/fixtures/catalog-commands/small-catalog.ts";

/** A resolver that answers the same whatever it is asked, and counts the questions. */
function answering(resolution: Resolution): EntityResolver & { asked: number } {
  return {
    asked: 0,
    async resolve() {
      this.asked++;
      return resolution;
    },
  };
}

describe("parseQuery", () => {
  it("splits a ref into kind, namespace and name, and leaves other text a name", () => {
    expect(parseQuery("API:petstore")).toEqual({ kind: "api", name: "petstore" });
    expect(parseQuery("`component:ops/billing`?")).toEqual({
      kind: "component",
      namespace: "ops",
      name: "billing",
    });
    expect(parseQuery("ops/billing")).toEqual({ namespace: "ops", name: "billing" });
    expect(parseQuery("Payments API?")).toEqual({ name: "Payments API" });
    expect(parseQuery("https://github.com/acme/payments-api")).toEqual({ name: "payments-api" });
  });
});

describe("firstFound", () => {
  const graph = new GraphNameResolver(smallGraph());

  it("never lets the search replace a typed kind's miss with another kind's entity", async () => {
    const search = answering({ status: "missing", candidates: ["api:default/payments-rest"] });
    expect(await firstFound(graph, search).resolve("api:payments-api")).toEqual({
      status: "missing",
      candidates: ["component:default/payments-api", "api:default/payments-rest"],
    });
  });

  it("keeps equal exact matches as the question, without asking the search", async () => {
    const search = answering({ status: "found", ref: "component:default/ledger", match: "corrected" });
    expect(await firstFound(graph, search).resolve("ledger")).toEqual({
      status: "ambiguous",
      candidates: ["component:default/ledger", "api:default/ledger"],
    });
    expect(search.asked).toBe(0);
  });

  it("takes the search's correction when the exact names miss", async () => {
    const found: Resolution = { status: "found", ref: "component:default/payments-api", match: "corrected" };
    expect(await firstFound(graph, answering(found)).resolve("paymnets-api")).toEqual(found);
  });

  it("puts the kinds the command wants first among merged suggestions", async () => {
    const search = answering({ status: "missing", candidates: ["group:default/team-payments"] });
    const result = await firstFound(graph, search).resolve("paymnts-ap", { kinds: ["group"] });
    expect(result.status !== "found" && result.candidates[0]).toBe("group:default/team-payments");
  });
});
