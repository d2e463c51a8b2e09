import pino from "pino";
import { describe, expect, it } from "vitest";
import type { Reply } from "../message/reply.ts";
import type { CatalogView } from "../plugins/api.ts";
import { Registry } from "../plugins/registry.ts";
import { smallGraph } from "../../test/fixtures/catalog-commands/small-catalog.ts";
import { graphCatalogView } from "./catalog-view.ts";
import { GraphNameResolver } from "./graph/graph-resolver.ts";

function view(): CatalogView {
  const graph = smallGraph();
  const resolver = new GraphNameResolver(graph);
  return graphCatalogView({ graph, resolver: () => resolver });
}

const buttons = (reply: Reply) =>
  reply.blocks.flatMap((b) => (b.type === "actions" ? b.actions.map((a) => a.command) : []));

describe("the catalog's read view for plugins", () => {
  it("gives an entity by ref with its owners and where it is defined, as a copy", () => {
    const catalog = view();
    const found = catalog.get("Component:default/Payments-API")!;
    expect(found.ref).toBe("component:default/payments-api");
    expect(found.owners).toEqual(["group:default/team-payments"]);
    expect(found.entity.metadata.annotations?.["backstage.io/source-location"]).toBe(
      "url:https://github.com/acme/payments-api/",
    );
    // The path relative to the folder that was imported, never the server's own path.
    expect(found.definedIn).toBe("`payments-api/catalog-info.yaml:1`");
    (found.entity.metadata as { name: string }).name = "changed";
    expect(catalog.get("component:default/payments-api")!.entity.metadata.name).toBe("payments-api");
    expect(catalog.get("component:default/nothing")).toBeUndefined();
    expect(catalog.get(null as unknown as string)).toBeUndefined();
    expect(catalog.size).toBeGreaterThan(10);
  });

  it("resolves names as the catalog's commands do: exact, did you mean, which one, nothing", async () => {
    const catalog = view();
    const exact = await catalog.lookup("payments api", { command: "prs", kinds: ["component"] });
    expect("found" in exact && exact.found.ref).toBe("component:default/payments-api");

    const typo = await catalog.lookup("payments-apj", { command: "prs", kinds: ["component"] });
    if (!("reply" in typo)) throw new Error("expected a did-you-mean");
    expect(typo.reply.text).toContain("Did you mean");
    expect(buttons(typo.reply)).toContain("prs component:default/payments-api");

    const two = await catalog.lookup("billing", { command: "ci", suffix: "--all" });
    if (!("reply" in two)) throw new Error("expected which one");
    expect(two.reply.text).toContain("Which one?");
    expect(buttons(two.reply)).toEqual(
      expect.arrayContaining(["ci component:finance/billing --all", "ci component:ops/billing --all"]),
    );

    const none = await catalog.lookup("x".repeat(5000), { command: "repo" });
    if (!("reply" in none)) throw new Error("expected not found");
    expect(none.reply.text).toContain("Nothing in the catalog");
  });

  it("says which entity an answer is about when the name was corrected", () => {
    const catalog = view();
    const found = catalog.get("component:default/payments-api")!;
    const answer: Reply = { text: "answer", blocks: [{ type: "section", text: "body" }] };
    expect(catalog.answerFor({ found }, answer)).toEqual(answer);
    const corrected = catalog.answerFor({ found, correctedFrom: "paymnts" }, answer);
    expect(corrected.blocks[0]).toEqual({
      type: "context",
      text: 'Showing **payments-api** for "paymnts".',
    });
  });

  it("lists by kind, owner, type, annotation and namespace, sorted, cut at the limit with the total", () => {
    const catalog = view();
    const owned = catalog.list({ kind: "Component", owner: "team-payments" });
    expect(owned.entries.map((e) => e.ref)).toEqual([
      "component:default/checkout-web",
      "component:default/payments-api",
    ]);
    expect(owned.total).toBe(2);
    expect(catalog.list({ type: "SERVICE", namespace: "ops" }).entries.map((e) => e.ref)).toEqual([
      "component:ops/billing",
    ]);
    expect(
      catalog
        .list({ annotation: { key: "slack.com/channel-id", value: "C0LEDGER" } })
        .entries.map((e) => e.ref),
    ).toEqual(["group:default/team-ledger"]);
    expect(catalog.list({ annotation: { key: "slack.com/channel-id" } }).total).toBe(2);
    const cut = catalog.list({ kind: ["component", "api"], limit: 2 });
    expect(cut.entries).toHaveLength(2);
    expect(cut.total).toBe(9);
    expect(catalog.list({ limit: 1e9 }).entries.length).toBe(catalog.size);
    expect(catalog.list({ owner: "::::" }).total).toBe(0);
  });

  it("reaches plugins through the registry as api.catalog (an empty catalog without one)", async () => {
    const catalog = view();
    const seen: CatalogView[] = [];
    const plugin = { id: "reader", register: (api: { catalog: CatalogView }) => void seen.push(api.catalog) };
    await new Registry(pino({ level: "silent" }), { catalog }).use(plugin);
    await new Registry(pino({ level: "silent" })).use(plugin);
    expect(seen[0]).toBe(catalog);
    expect(seen[1]!.size).toBe(0);
    const nothing = await seen[1]!.lookup("payments-api", { command: "prs" });
    expect("reply" in nothing && nothing.reply.text).toContain("Nothing in the catalog");
  });
});
