import { describe, expect, it } from "vitest";
import { CatalogGraph, MAX_WALK_NODES, type DependencyNode } from "./catalog-graph.ts";
import { entity, hubGraph, item, smallGraph } from "../../../test/fixtures/catalog-commands/small-catalog.ts";

describe("CatalogGraph bookkeeping", () => {
  it("stores both directions of every relation an entity emits", () => {
    const graph = smallGraph();
    expect(graph.owners("component:default/payments-api")).toEqual(["group:default/team-payments"]);
    expect(graph.ownedBy("group:default/team-payments")).toEqual({
      api: ["api:default/payments-rest"],
      component: ["component:default/checkout-web", "component:default/payments-api"],
      resource: ["resource:default/payments-db"],
      system: ["system:default/payments"],
    });
    expect(graph.childrenOf("group:default/engineering").sort()).toEqual([
      "group:default/team-ledger",
      "group:default/team-payments",
    ]);
    expect(graph.parentOf("group:default/team-payments")).toEqual(["group:default/engineering"]);
  });

  it("unions membership declared on either side, counting a both-sides declaration once", () => {
    const graph = smallGraph();
    // alice: both sides; bob: only the group lists him; carol: only she lists the group.
    expect(graph.members("group:default/team-payments").sort()).toEqual([
      "user:default/alice",
      "user:default/bob",
    ]);
    expect(graph.members("group:default/team-ledger")).toEqual(["user:default/carol"]);
    expect(graph.related("user:default/bob", "memberOf")).toEqual(["group:default/team-payments"]);
  });

  it("keeps a both-sides edge while either side still declares it", () => {
    const graph = smallGraph();
    const before = graph.stats().relations;
    // alice stops declaring memberOf; the group still lists her.
    graph.upsert([item("user:default/alice", entity("user:default/alice", {}))]);
    expect(graph.members("group:default/team-payments").sort()).toEqual([
      "user:default/alice",
      "user:default/bob",
    ]);
    expect(graph.related("user:default/alice", "memberOf")).toEqual(["group:default/team-payments"]);
    expect(graph.stats().relations).toBe(before);
    // Now the group drops her too: the edge goes, in both directions.
    const team = entity("group:default/team-payments", {
      type: "team",
      parent: "engineering",
      members: ["bob"],
    });
    graph.upsert([item("group:default/team-payments", team)]);
    expect(graph.members("group:default/team-payments")).toEqual(["user:default/bob"]);
    expect(graph.related("user:default/alice", "memberOf")).toEqual([]);
    expect(graph.stats().relations).toBe(before - 2);
  });

  it("re-upserting replaces exactly the edges the entity emitted, including reverse edges on others", () => {
    const graph = smallGraph();
    const ref = "component:default/checkout-web";
    const moved = entity(ref, { type: "website", owner: "team-ledger", dependsOn: ["component:ledger"] });
    graph.upsert([item(ref, moved)]);
    expect(graph.owners(ref)).toEqual(["group:default/team-ledger"]);
    expect(graph.ownedBy("group:default/team-payments").component).toEqual([
      "component:default/payments-api",
    ]);
    expect(graph.ownedBy("group:default/team-ledger").component).toContain(ref);
    expect(graph.related("component:default/payments-api", "dependencyOf")).toEqual([
      "component:default/ledger",
    ]);
    expect(graph.related("component:default/payments-api", "hasPart")).toEqual([]);
    expect(graph.related("system:default/payments", "hasPart").sort()).toEqual([
      "api:default/payments-rest",
      "component:default/payments-api",
    ]);
  });

  it("removing an entity takes back its edges but keeps edges others emitted towards it", () => {
    const graph = smallGraph();
    const stats = graph.stats();
    graph.remove(["component:default/payments-api"]);
    expect(graph.has("component:default/payments-api")).toBe(false);
    expect(graph.size).toBe(17);
    expect(graph.stats().byKind.component).toBe(stats.byKind.component! - 1);
    // Its own ownership is gone from the group…
    expect(graph.ownedBy("group:default/team-payments").component).toEqual([
      "component:default/checkout-web",
    ]);
    // …but checkout-web still depends on it, now as a dangling ref.
    expect(graph.related("component:default/checkout-web", "dependsOn")).toEqual([
      "component:default/payments-api",
    ]);
    expect(graph.related("component:default/payments-api", "dependencyOf").sort()).toEqual([
      "component:default/checkout-web",
      "component:default/ledger",
    ]);
    expect(graph.stats().unresolved).toBe(stats.unresolved + 1);
  });

  it("returns to the same state after remove and re-add", () => {
    const graph = smallGraph();
    const stats = graph.stats();
    const removed = ["component:default/payments-api", "group:default/team-payments", "user:default/alice"];
    graph.remove(removed);
    const fresh = smallGraph();
    graph.upsert(
      removed.map((ref) => {
        const e = fresh.get(ref)!;
        return item(ref, e);
      }),
    );
    expect(graph.stats()).toEqual(stats);
    expect(graph.members("group:default/team-payments").sort()).toEqual([
      "user:default/alice",
      "user:default/bob",
    ]);
  });

  it("keeps dangling refs and counts them as unresolved", () => {
    const graph = smallGraph();
    expect(graph.owners("component:default/legacy-tool")).toEqual(["group:default/team-ghost"]);
    expect(graph.get("group:default/team-ghost")).toBeUndefined();
    expect(graph.related("group:default/team-ghost", "ownerOf")).toEqual(["component:default/legacy-tool"]);
    // team-ghost and ghost-service.
    expect(graph.stats().unresolved).toBe(2);
    graph.remove(["component:default/legacy-tool"]);
    expect(graph.related("group:default/team-ghost", "ownerOf")).toEqual([]);
    expect(graph.stats().unresolved).toBe(1);
  });

  it("counts a ref listed twice by one entity as one edge", () => {
    const graph = new CatalogGraph();
    const e = entity("component:default/a", { dependsOn: ["component:b", "component:B"] });
    graph.upsert([item("component:default/a", e)]);
    expect(graph.related("component:default/a", "dependsOn")).toEqual(["component:default/b"]);
    expect(graph.stats().relations).toBe(2);
    graph.remove(["component:default/a"]);
    expect(graph.stats()).toEqual({ byKind: {}, relations: 0, unresolved: 0 });
  });

  it("reports counts by kind and looks names up case-insensitively", () => {
    const graph = smallGraph();
    expect(graph.stats().byKind).toEqual({
      api: 2,
      component: 7,
      domain: 1,
      group: 3,
      resource: 1,
      system: 1,
      user: 3,
    });
    expect(graph.size).toBe(18);
    expect(graph.byName("LEDGER").sort()).toEqual(["api:default/ledger", "component:default/ledger"]);
    expect(graph.byName("nope")).toEqual([]);
    expect(graph.get("Component:Default/Payments-API")?.metadata.name).toBe("payments-api");
  });

  it("moves a large adjacency list into a set and back without losing edges", () => {
    const graph = new CatalogGraph();
    const refs = Array.from({ length: 100 }, (_, i) => `component:default/c${i}`);
    graph.upsert(refs.map((ref) => item(ref, entity(ref, { owner: "big-team" }))));
    expect(graph.ownedBy("group:default/big-team").component).toHaveLength(100);
    graph.remove(refs.slice(0, 99));
    expect(graph.related("group:default/big-team", "ownerOf")).toEqual(["component:default/c99"]);
  });
});

describe("CatalogGraph walks", () => {
  it("lists direct dependencies at depth 1, marking unresolved targets", () => {
    const graph = smallGraph();
    const tree = graph.dependencies("component:default/ledger", 1);
    expect(tree.children.map((c) => [c.ref, c.resolved, c.children.length])).toEqual([
      ["component:default/ghost-service", false, 0],
      ["component:default/payments-api", true, 0],
      ["resource:default/payments-db", true, 0],
    ]);
  });

  it("walks breadth-first to the depth asked and stops at cycles", () => {
    const graph = smallGraph();
    const tree = graph.dependencies("component:default/payments-api", 5);
    const [ledger, db] = tree.children;
    expect(ledger!.ref).toBe("component:default/ledger");
    expect(db!.ref).toBe("resource:default/payments-db");
    // ledger → payments-api closes the cycle; payments-db was already listed one level up.
    expect(ledger!.children.map((c) => [c.ref, c.repeated ?? false])).toEqual([
      ["component:default/ghost-service", false],
      ["component:default/payments-api", true],
      ["resource:default/payments-db", true],
    ]);
    expect(ledger!.children.every((c) => c.children.length === 0)).toBe(true);
  });

  it("walks dependents in the reverse direction with a depth limit", () => {
    const graph = smallGraph();
    const one = graph.dependents("resource:default/payments-db", 1);
    expect(one.children.map((c) => c.ref)).toEqual([
      "component:default/ledger",
      "component:default/payments-api",
    ]);
    expect(one.children.every((c) => c.children.length === 0)).toBe(true);
    const two = graph.dependents("resource:default/payments-db", 2);
    expect(two.children[1]!.children.map((c) => c.ref)).toEqual([
      "component:default/checkout-web",
      "component:default/ledger",
    ]);
    expect(two.children[1]!.children[1]!.repeated).toBe(true);
  });

  it("creates at most MAX_WALK_NODES nodes on a wide graph and says it stopped", () => {
    const size = (node: DependencyNode): number =>
      node.children.reduce((sum, child) => sum + 1 + size(child), 0);
    const graph = hubGraph(1_500);
    const wide = graph.dependents("resource:default/shared-db", 5);
    expect(size(wide)).toBe(MAX_WALK_NODES);
    expect(wide.truncated).toBe(true);
    // Those taken are sorted among themselves.
    const refs = wide.children.map((c) => c.ref);
    expect(refs).toEqual([...refs].sort());

    const limited = graph.dependents("resource:default/shared-db", 5, 10);
    expect(size(limited)).toBe(10);
    expect(limited.truncated).toBe(true);
    // Exactly at the limit with nothing left over is complete.
    const exact = graph.dependents("component:default/user-1", 5, 1);
    expect(size(exact)).toBe(1);
    expect(exact.truncated).toBeUndefined();
    expect(graph.dependents("resource:default/shared-db", 1, 1_500).truncated).toBeUndefined();
    expect(graph.relatedCount("resource:default/shared-db", "dependencyOf")).toBe(1_500);
  });
});
