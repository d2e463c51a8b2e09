import { describe, expect, it } from "vitest";
import { CatalogGraph } from "./catalog-graph.ts";
import { NameIndex } from "./name-index.ts";
import { entity, item } from "../../../test/fixtures/catalog-commands/small-catalog.ts";

/** Seeded, so a failure repeats. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const WORDS = [
  "payments",
  "paymnets",
  "ledger",
  "checkout",
  "api",
  "web",
  "db",
  "Payments",
  "Ledger_Svc",
  "é-shop",
];

/** Refs under one key keep the order they were added in; that order is not what is under test. */
function sortRefs<T extends { refs: readonly string[] }>(found: T[]): T[] {
  return found.map((f) => ({ ...f, refs: [...f.refs].sort() }));
}

describe("NameIndex kept sorted change by change", () => {
  it("answers prefix and typo lookups exactly as an index built from scratch, through upserts and removals read at random", () => {
    const next = random(3);
    const live = new Map<string, { name: string; title?: string }>();
    const index = new NameIndex();
    const pick = () => WORDS[Math.floor(next() * WORDS.length)]!;
    const fresh = () => {
      const rebuilt = new NameIndex();
      for (const [ref, { name, title }] of live) rebuilt.add(ref, name, title);
      return rebuilt;
    };
    for (let step = 0; step < 1_500; step++) {
      const ref = `component:default/c${Math.floor(next() * 120)}`;
      const before = live.get(ref);
      if (before) {
        index.remove(ref, before.name, before.title);
        live.delete(ref);
      }
      if (!before || next() < 0.5) {
        const name = `${pick()}-${pick()}`;
        const title = next() < 0.3 ? `${pick()} ${pick()}` : undefined;
        index.add(ref, name, title);
        live.set(ref, { name, title });
      }
      if (step % 10 === 0) index.settle();
      if (next() < 0.1) {
        const query = `${pick()}-${pick().slice(0, 3)}`;
        const prefix = pick().slice(0, 2);
        const rebuilt = fresh();
        expect(sortRefs(index.near(query, 10))).toEqual(sortRefs(rebuilt.near(query, 10)));
        expect(sortRefs(index.withPrefix(prefix, 50))).toEqual(sortRefs(rebuilt.withPrefix(prefix, 50)));
      }
    }
  });
});

describe("CatalogGraph's name lookups after a change", () => {
  it("finds a renamed entity by its new name at once and no longer by its old one, for typos too", () => {
    const graph = new CatalogGraph();
    const many = Array.from({ length: 2_000 }, (_, i) =>
      item(`component:default/service-${i}`, entity(`component:default/service-${i}`)),
    );
    graph.upsert(many);
    expect(graph.nameIndex.near("servce-17", 3).map((n) => n.key)).toContain("service-17");
    graph.remove(["component:default/service-17"]);
    graph.upsert([item("component:default/payments-api", entity("component:default/payments-api"))]);
    expect(graph.nameIndex.near("servce-17", 3).map((n) => n.key)).not.toContain("service-17");
    expect(graph.nameIndex.near("paymnets-api", 3)[0]).toMatchObject({ key: "payments-api", distance: 1 });
    expect(graph.nameIndex.withPrefix("payments", 5).map((n) => n.key)).toEqual(["payments-api"]);
  });
});
