import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { contractDocuments } from "../../test/fixtures/search/documents.ts";
import type { Block } from "../message/reply.ts";
import type {
  ChatCommand,
  ChatUser,
  OptionsProvider,
  Plugin,
  PluginApi,
  SearchProvider,
} from "../plugins/api.ts";
import { EmbeddedSearchIndex } from "./embedded-index.ts";
import { markSnippet, searchPlugin } from "./search-plugin.ts";

const user: ChatUser = { surface: "shell", id: "tester" };
const log = pino({ level: "silent" });

async function registered(plugin: Plugin) {
  const commands: ChatCommand[] = [];
  const options: OptionsProvider[] = [];
  const searches: SearchProvider[] = [];
  const api = {
    log,
    addCommand: (c: ChatCommand) => commands.push(c),
    addOptionsProvider: (p: OptionsProvider) => options.push(p),
    addSearchProvider: (p: SearchProvider) => searches.push(p),
  } as unknown as PluginApi;
  await plugin.register(api);
  return { commands, options, searches };
}

const run = (command: ChatCommand, args: string) =>
  command.handler({ args, flags: {}, text: `search ${args}`, user, conversation: { surface: "shell" }, log });

const texts = (blocks: Block[]) =>
  blocks.map((b) =>
    "text" in b ? b.text : b.type === "actions" ? b.actions.map((a) => a.command ?? a.url) : "",
  );

describe("searchPlugin", () => {
  const index = new EmbeddedSearchIndex(":memory:");
  let parts: Awaited<ReturnType<typeof registered>>;
  beforeAll(async () => {
    await index.rebuild(contractDocuments, "t");
    parts = await registered(
      searchPlugin({
        index,
        describe: (ref) => (ref === "group:default/team-payments" ? "Payments Team" : undefined),
      }),
    );
  });
  afterAll(() => index.close());

  it("registers the search command under search and find", () => {
    expect(parts.commands.map((c) => [c.name, c.phrases])).toEqual([["search", ["search", "find"]]]);
  });

  it("answers with one section per hit, a show button and facet counts", async () => {
    const answer = await run(parts.commands[0]!, "payments kind:component");
    expect(answer.blocks[0]).toEqual({ type: "header", text: 'Results for "payments kind:component"' });
    const flat = texts(answer.blocks).flat().join("\n");
    expect(flat).toContain("**payments-api** (Payments API) · _component_ · owned by Payments Team");
    expect(flat).toContain("show component:default/payments-api");
    // The kind filter is not repeated as a facet; the other facets break the results down.
    expect(flat).not.toMatch(/kind: component \d/);
    expect(flat).toMatch(/owner: team-payments \d/);
    expect(answer.text).toContain("payments-api");
  });

  it("shows the description under a hit whose name alone matched, rather than the name again", async () => {
    const answer = await run(parts.commands[0]!, "archive");
    expect(texts(answer.blocks)).toContain(
      "**ledger-archive** · _component_ · owned by team-finance\nCold storage of closed books.",
    );
  });

  it("shows doc sections with their link", async () => {
    const answer = await run(parts.commands[0]!, "rotate secrets");
    const flat = texts(answer.blocks).flat().join("\n");
    expect(flat).toContain(
      "[Rotate secrets](http://localhost:7007/docs/default/component/payments-api/runbook/#rotate-secrets)",
    );
    expect(flat).toContain("show component:default/payments-api");
  });

  it("says so when nothing matches, escaping what was typed", async () => {
    const answer = await run(parts.commands[0]!, "zzzq_*qq");
    expect(answer.text).toBe('No results for "zzzq_*qq".');
    expect(answer.blocks[0]).toEqual({ type: "section", text: "No results for **zzzq\\_\\*qq**." });
  });

  it("heads a filter-only listing with what it lists and how many, entities only", async () => {
    const answer = await run(parts.commands[0]!, "kind:component");
    // Not 'Results for "kind:component"': nothing was searched for, the catalog's components were listed.
    expect(answer.blocks[0]).toEqual({ type: "header", text: "Components (6)" });
    expect(answer.text).toBe(
      "Components (6): ledger, ledger-archive, notifications-service, orders-consumer, payments-api, payments-gateway",
    );
    // A doc section of a component is not a component: it would make the count a lie.
    expect(JSON.stringify(answer)).not.toContain("Rotate secrets");
    const notes = answer.blocks.flatMap((b) => (b.type === "context" ? [b.text] : []));
    // The kind is what was asked for: no "kind: component 6" after the list.
    expect(notes.join("\n")).not.toMatch(/kind: component/);
    expect(notes.join("\n")).toContain("Doc pages are not listed; `type:doc` lists them.");
  });

  it("names every filter of a filter-only listing in its heading", async () => {
    const { commands } = await registered(
      searchPlugin({
        index,
        describe: (ref) => (ref === "group:default/team-payments" ? "Payments Team" : undefined),
        ownerRef: (typed) => (typed.includes(":") ? typed : `group:default/${typed}`),
        limit: 3,
      }),
    );
    const components = await run(commands[0]!, "kind:component");
    expect(texts(components.blocks).flat()).toContain(
      "Add words to narrow the list: `search kind:component <words>`. Doc pages are not listed; `type:doc` lists them.",
    );
    const apis = await run(commands[0]!, "kind:api owner:team-payments");
    expect(apis.blocks[0]).toEqual({ type: "header", text: "APIs owned by Payments Team (1)" });
    const tagged = await run(commands[0]!, "tag:grpc");
    expect(tagged.blocks[0]).toEqual({ type: "header", text: "Entities tagged grpc (2)" });
    const docs = await run(commands[0]!, "type:doc kind:component");
    expect(docs.blocks[0]).toEqual({ type: "header", text: "Docs of components (1)" });
    const none = await run(commands[0]!, "kind:api tag:kafka");
    expect(none.text).toBe("No APIs tagged kafka.");
  });

  it("says a kind does not exist and which kinds do, with the nearest as a button", async () => {
    const answer = await run(parts.commands[0]!, "kind:apis payments");
    expect(answer.text).toBe(
      'There is no kind "apis" in the catalog. Kinds: component, API, group, resource, user.',
    );
    const flat = texts(answer.blocks).flat().join("\n");
    expect(flat).toContain("There is no kind **apis** in the catalog.");
    expect(flat).toContain(
      "Kinds in the catalog: `kind:component` (6), `kind:api` (1), `kind:group` (1), `kind:resource` (1), `kind:user` (1)",
    );
    expect(answer.blocks.find((b) => b.type === "actions")).toEqual({
      type: "actions",
      actions: [{ label: "Search kind:api", command: "search kind:api payments" }],
    });
    const far = await run(parts.commands[0]!, "kind:spaceship");
    expect(far.text).toMatch(/^There is no kind "spaceship" in the catalog\. Kinds: /);
    expect(far.blocks.some((b) => b.type === "actions")).toBe(false);
  });

  it("asks for words when given none", async () => {
    expect((await run(parts.commands[0]!, "  ")).text).toContain("What should I search for?");
  });

  it("offers entity and owner options for pickers, owners limited to groups and users", async () => {
    const entity = parts.options.find((p) => p.id === "entity")!;
    const owner = parts.options.find((p) => p.id === "owner")!;
    expect((await entity.options("paym", {}, user)).map((o) => o.value)).toContain(
      "component:default/payments-api",
    );
    const owners = await owner.options("paym", {}, user);
    expect(owners[0]?.value).toBe("group:default/team-payments");
    expect(owners.every((o) => /^(group|user):/.test(o.value))).toBe(true);
    expect(owners[0]?.label).toBe("Payments Team (team-payments)");
  });

  it("serves compose-box search with a show command per hit", async () => {
    const hits = await parts.searches[0]!.search("paymnets-api", 5, user);
    expect(hits[0]).toMatchObject({ title: "Payments API", command: "show component:default/payments-api" });
  });

  it("marks the matched words bold from the engine's offsets, escaping everything else", async () => {
    const marked = new EmbeddedSearchIndex(":memory:");
    try {
      await marked.rebuild(
        [
          {
            ...contractDocuments[0]!,
            id: "component:default/quokka-payouts",
            ref: "component:default/quokka-payouts",
            name: "quokka-payouts",
            title: "quokka-payouts",
            // 155 characters: one line, cut at a word before the second quokka (past 140).
            text: `Settles *quokka* payouts_v2 [daily]. ${"Then it rests. ".repeat(7)}quokka again.`,
          },
        ],
        "t",
      );
      const { commands } = await registered(searchPlugin({ index: marked }));
      const flat = texts((await run(commands[0]!, "quokka")).blocks)
        .flat()
        .join("\n");
      // The line is cut at a word; the second quokka falls past the cut and is neither shown nor marked.
      expect(flat).toContain("Settles \\***quokka**\\* payouts\\_v2 \\[daily\\]. Then it rests.");
      expect(flat).toMatch(/Then it…$/m);
      expect(flat).not.toContain("again");
      expect(flat).not.toContain("****");
    } finally {
      await marked.close();
    }
  });
});

describe("markSnippet", () => {
  it("bolds each match, escapes the rest, and ignores offsets that overlap or are empty", () => {
    expect(
      markSnippet({
        text: "a_b *c* d",
        matches: [
          [0, 3],
          [2, 3],
          [5, 5],
          [8, 9],
        ],
      }),
    ).toBe("**a\\_b** \\*c\\* **d**");
  });
});
