import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {
  ChatCommand,
  ChatUser,
  HomeSection,
  OptionsProvider,
  PluginApi,
  UserResolver,
} from "../../plugins/api.ts";
import type { Action, Block, Field, Reply } from "../../message/reply.ts";
import { EMPTY_CATALOG } from "../../plugins/registry.ts";
import { GraphNameResolver } from "../graph/graph-resolver.ts";
import type { CatalogGraph } from "../graph/catalog-graph.ts";
import { firstFound } from "../resolver.ts";
import { EmbeddedSearchIndex } from "../../search/embedded-index.ts";
import { entityToDocument } from "../search-source.ts";
import { SearchEntityResolver } from "../search-resolver.ts";
import { catalogCommandsPlugin } from "./catalog-plugin.ts";
import { channelMarkdown } from "./entity-text.ts";
import {
  entity,
  hubGraph,
  item,
  SMALL_CATALOG,
  smallGraph,
} from "../../../test/fixtures/catalog-commands/small-catalog.ts";

const log = pino({ level: "silent" });
const shell: ChatUser = { surface: "shell", id: "tester" };

class CapturingApi implements PluginApi {
  log = log;
  outbox = {
    post: () => Promise.reject(new Error("not in this test")),
    update: () => Promise.reject(new Error("not in this test")),
  };
  baseUrl = "https://callboard.acme.test";
  config = {};
  catalog = EMPTY_CATALOG;
  commands = new Map<string, ChatCommand>();
  options = new Map<string, OptionsProvider>();
  users: UserResolver[] = [];
  home = new Map<string, HomeSection>();
  addCommand(command: ChatCommand) {
    this.commands.set(command.name, command);
  }
  addOptionsProvider(provider: OptionsProvider) {
    this.options.set(provider.id, provider);
  }
  addUserResolver(resolver: UserResolver) {
    this.users.push(resolver);
  }
  addHomeSection(section: HomeSection) {
    this.home.set(section.id, section);
  }
  addForm() {}
  addSearchProvider() {}
  addLinkUnfurler() {}
  addMessageListener() {}
  addHttpRoute() {}
  addJob() {}
  addIndexSource() {}
  addCatalogProvider() {}
  addAction() {}
}

let graph: CatalogGraph;
let api: CapturingApi;

beforeAll(async () => {
  graph = smallGraph();
  const resolver = new GraphNameResolver(graph);
  api = new CapturingApi();
  await catalogCommandsPlugin({
    graph,
    resolver: () => resolver,
    docsUrl: (ref) =>
      ref === "component:default/payments-api" ? "https://docs.acme.test/payments-api/" : undefined,
    catalogUrl: (ref) => `https://callboard.acme.test/catalog/${ref}`,
  }).register(api);
});

/** Runs a command the way the router would: phrase stripped, `--flags` split out. */
async function run(
  name: string,
  args: string,
  flags: Record<string, string | true> = {},
  on: CapturingApi = api,
): Promise<Reply> {
  const command = on.commands.get(name);
  if (!command) throw new Error(`no command ${name}`);
  return command.handler({
    args,
    flags,
    text: `${name} ${args}`,
    user: shell,
    conversation: { surface: "shell" },
    log,
  });
}

const headerOf = (r: Reply) => r.blocks.find((b) => b.type === "header") as { text: string } | undefined;
const allFields = (r: Reply): Field[] =>
  r.blocks.flatMap((b) => (b.type === "section" && b.fields ? b.fields : []));
const field = (r: Reply, label: string) => allFields(r).find((f) => f.label === label)?.value;
const buttons = (r: Reply): Action[] => r.blocks.flatMap((b) => (b.type === "actions" ? b.actions : []));
const sectionTexts = (r: Reply) =>
  r.blocks.flatMap((b: Block) => (b.type === "section" && b.text ? [b.text] : []));
const contexts = (r: Reply) => r.blocks.flatMap((b: Block) => (b.type === "context" ? [b.text] : []));

describe("catalog commands plugin", () => {
  it("registers the commands, pickers, user resolver and home section", () => {
    expect([...api.commands.keys()].sort()).toEqual([
      "catalog-stats",
      "dependents",
      "deps",
      "show",
      "team",
      "who-owns",
    ]);
    expect(api.commands.get("who-owns")!.phrases).toEqual(
      expect.arrayContaining(["who owns", "owner of", "owner", "owns", "whoowns"]),
    );
    expect(api.commands.get("dependents")!.phrases).toEqual(
      expect.arrayContaining(["dependents", "dependents of", "who depends on", "what depends on"]),
    );
    expect(api.commands.get("deps")!.phrases).not.toContain("depends on");
    expect([...api.options.keys()].sort()).toEqual(["entity", "owner"]);
    expect(api.users).toHaveLength(1);
    expect([...api.home.keys()]).toEqual(["my-teams"]);
  });
});

describe("who owns", () => {
  it("names the owning group, its members with contacts, channel and parent, with next-step buttons", async () => {
    const r = await run("who-owns", "payments api");
    expect(headerOf(r)?.text).toBe("Who owns payments-api");
    expect(r.text).toBe("payments-api is owned by Payments Team.");
    // The team's description is labelled as the team's: right under the sentence it read as the component's.
    expect(sectionTexts(r)[0]).toBe("**payments-api** (component) is owned by **Payments Team**.");
    expect(field(r, "Owner")).toBe("**Payments Team** (group `team-payments`)");
    expect(field(r, "About the team")).toBe("Card payments and refunds.");
    expect(field(r, "Email")).toBe("payments@acme.test");
    expect(field(r, "Channel")).toBe("Slack `C0PAYMENTS`");
    expect(field(r, "Parent team")).toBe("**engineering**");
    // Members are people, each surface shows its own handle: the reply carries them all, neutrally.
    expect(sectionTexts(r)).toContain(
      [
        "**Members** (2)",
        "• [**Alice Ng**](person:?slack=U0ALICE) · alice@acme.test",
        "• **bob** · Bob@Acme.test",
      ].join("\n"),
    );
    expect(buttons(r)).toEqual([
      { label: "Show payments-api", command: "show component:default/payments-api" },
      { label: "Dependencies", command: "deps component:default/payments-api" },
      { label: "Team Payments Team", command: "team group:default/team-payments" },
      { label: "Open in catalog", url: "https://callboard.acme.test/catalog/component:default/payments-api" },
    ]);
  });

  it("shows a team's markdown description as plain text, and leaves a long one to the team command", async () => {
    const { item, entity } = await import("../../../test/fixtures/catalog-commands/small-catalog.ts");
    const wordy = smallGraph();
    wordy.upsert([
      item(
        "group:default/team-docs",
        entity(
          "group:default/team-docs",
          { type: "team" },
          {
            description:
              "## About\n**Owns** the [docs site](https://docs.acme.test) and `mkdocs` builds.\n\n" +
              "- Office hours: Tuesdays\n- Escalations: #docs",
          },
        ),
      ),
      item("component:default/docs-site", entity("component:default/docs-site", { owner: "team-docs" })),
      item(
        "group:default/team-essay",
        entity(
          "group:default/team-essay",
          { type: "team" },
          { description: "We do many things. ".repeat(30) },
        ),
      ),
      item("component:default/essay-svc", entity("component:default/essay-svc", { owner: "team-essay" })),
    ]);
    const resolver = new GraphNameResolver(wordy);
    const wordyApi = new CapturingApi();
    await catalogCommandsPlugin({ graph: wordy, resolver: () => resolver }).register(wordyApi);
    const docs = await run("who-owns", "docs-site", {}, wordyApi);
    // The first paragraph under any heading, marks gone: bold, links and code read as words, not ** and [](…).
    expect(field(docs, "About the team")).toBe("Owns the docs site and mkdocs builds.");
    expect(field(docs, "Owner")).toBe("**team-docs** (group)");
    const essay = await run("who-owns", "essay-svc", {}, wordyApi);
    expect(field(essay, "About the team")).toBeUndefined();
    expect(JSON.stringify(essay)).not.toContain("many things");
    expect(buttons(essay).map((b) => b.command)).toContain("team group:default/team-essay");
  });

  it("answers for an entity owned by a user", async () => {
    const r = await run("who-owns", "carol-scripts");
    expect(r.text).toBe("carol-scripts is owned by Carol Diaz.");
    const carol = "[**Carol Diaz**](person:?teams=carol.diaz%40acme.onmicrosoft.test)";
    expect(field(r, "Owner")).toBe(`${carol} (user)`);
    // The Teams name travels with the person, for Teams alone to show; the contact line is platform-free.
    expect(field(r, "Contact")).toBe("carol@acme.test");
    expect(field(r, "Member of")).toBe("**team-ledger**");
  });

  it("shows an owner that is not in the catalog as unresolved", async () => {
    const r = await run("who-owns", "legacy-tool");
    expect(r.text).toBe("legacy-tool is owned by group:default/team-ghost (unresolved).");
    expect(sectionTexts(r)[0]).toContain(
      "`group:default/team-ghost`, which is not in the catalog (unresolved)",
    );
    expect(buttons(r).map((b) => b.label)).not.toContain("Team team-ghost");
  });

  it("offers did-you-mean buttons that re-run the command on each candidate", async () => {
    const r = await run("who-owns", "paymnts-api");
    expect(r.text).toBe('No entity "paymnts-api". Did you mean payments-api (component)?');
    expect(sectionTexts(r)[0]).toBe(
      "I couldn't find **paymnts-api**. Did you mean **payments-api** (component)?",
    );
    expect(buttons(r)).toEqual([
      { label: "payments-api (component)", command: "who owns component:default/payments-api" },
    ]);
  });

  it("takes a typed kind as a filter and offers the name's other kinds", async () => {
    // There is a component payments-api and no API of that name: answering for the component would
    // state something about an entity nobody asked for.
    const r = await run("who-owns", "api:payments-api");
    expect(sectionTexts(r)[0]).toBe(
      "There is no API called **payments-api**. Did you mean **payments-api** (component)?",
    );
    expect(buttons(r)).toEqual([
      { label: "payments-api (component)", command: "who owns component:default/payments-api" },
    ]);
    const group = await run("show", "group:ledger");
    expect(sectionTexts(group)[0]).toBe("There is no group called **ledger**. Did you mean one of these?");
    expect(buttons(group).map((b) => b.label)).toEqual(["ledger (component)", "ledger (API)"]);
    const api = await run("who-owns", "api:ledger");
    expect(api.text).toBe("ledger is owned by team-ledger.");
    expect(sectionTexts(api)[0]).toContain("**ledger** (API) is owned by");
  });

  it("asks which one when a name belongs to several kinds, naming the kinds", async () => {
    const r = await run("who-owns", "ledger");
    expect(sectionTexts(r)[0]).toBe("**ledger** matches more than one entity. Which one?");
    expect(buttons(r)).toEqual([
      { label: "ledger (component)", command: "who owns component:default/ledger" },
      { label: "ledger (API)", command: "who owns api:default/ledger" },
    ]);
  });

  it("asks which one when a name is ambiguous", async () => {
    const r = await run("who-owns", "billing");
    expect(sectionTexts(r)[0]).toBe("**billing** matches more than one entity. Which one?");
    expect(buttons(r).map((b) => b.command)).toEqual([
      "who owns component:finance/billing",
      "who owns component:ops/billing",
    ]);
    expect(buttons(r).map((b) => b.label)).toEqual([
      "finance/billing (component)",
      "ops/billing (component)",
    ]);
  });

  it("suggests search when nothing is close", async () => {
    const r = await run("who-owns", "quantum flux");
    expect(sectionTexts(r)[0]).toBe("Nothing in the catalog is called **quantum flux**.");
    expect(buttons(r)).toEqual([{ label: 'Search "quantum flux"', command: "search quantum flux" }]);
  });

  it("answers a missing argument with usage", async () => {
    const r = await run("who-owns", "");
    expect(r.text).toBe("Usage: who owns <name>");
    expect(sectionTexts(r)[0]).toContain("`who owns <name>`");
  });
});

describe("show", () => {
  it("lists kind, type, lifecycle, system, domain, owner, APIs, dependencies, links and source", async () => {
    const r = await run("show", "payments-api");
    expect(headerOf(r)?.text).toBe("payments-api");
    expect(r.text).toBe("payments-api (Component, service, production): Takes card payments.");
    expect(sectionTexts(r)[0]).toBe("Takes card payments.");
    expect(field(r, "Kind")).toBe("Component");
    expect(field(r, "Type")).toBe("service");
    expect(field(r, "Lifecycle")).toBe("production");
    expect(field(r, "Owner")).toBe("**Payments Team**");
    expect(field(r, "System")).toBe("**Payments**");
    expect(field(r, "Domain")).toBe("**commerce**");
    expect(field(r, "APIs provided")).toBe("**payments-rest**");
    expect(field(r, "APIs consumed")).toBe("**ledger**");
    // The list mixes kinds, so each names its kind: a component and an API can share a name.
    expect(field(r, "Depends on")).toBe("**ledger** (component), **payments-db** (resource)");
    expect(field(r, "Tags")).toBe("`java` `payments`");
    expect(field(r, "Repository")).toBe("[acme/payments-api](https://github.com/acme/payments-api/)");
    // Relative to the folder that was imported (/org): the server's own paths stay off the channel.
    expect(field(r, "Defined in")).toBe("`payments-api/catalog-info.yaml:1`");
    expect(JSON.stringify(r)).not.toContain("/org/");
    expect(JSON.stringify(r)).not.toContain("file:");
    expect(r.blocks.find((b) => b.type === "links")).toEqual({
      type: "links",
      links: [
        { title: "Dashboard", url: "https://grafana.acme.test/d/payments" },
        { title: "Repository", url: "https://github.com/acme/payments-api/" },
        { title: "Docs", url: "https://docs.acme.test/payments-api/" },
        { title: "Catalog", url: "https://callboard.acme.test/catalog/component:default/payments-api" },
      ],
    });
    expect(buttons(r).map((b) => b.command)).toEqual([
      "who owns component:default/payments-api",
      "deps component:default/payments-api",
      "dependents component:default/payments-api",
    ]);
  });

  it("names the descriptor file alone when it does not know the imported folder, never a server path", async () => {
    const r = await run("show", "component:default/ledger");
    expect(field(r, "Defined in")).toBe("`catalog-info.yaml:1`");
    expect(JSON.stringify(r)).not.toContain("/org/");
  });

  it("marks unresolved dependencies and shows an API's providers", async () => {
    expect(field(await run("show", "component:default/ledger"), "Depends on")).toBe(
      "`component:default/ghost-service` _(unresolved)_, **payments-api** (component), **payments-db** (resource)",
    );
    const api = await run("show", "payments-rest");
    expect(field(api, "Provided by")).toBe("**payments-api**");
    expect(field(api, "System")).toBe("**Payments**");
  });

  it("shows a person's contact led by the person, so each surface can add its own handle", async () => {
    expect(field(await run("show", "user:alice"), "Contact")).toBe(
      "[**Alice Ng**](person:?slack=U0ALICE) · alice@acme.test",
    );
    expect(field(await run("show", "user:bob"), "Contact")).toBe("Bob@Acme.test");
  });

  it("answers a missing argument with usage", async () => {
    expect((await run("show", "")).text).toBe("Usage: show <name>");
  });
});

describe("deps and dependents", () => {
  it("shows direct dependencies by default, marking unresolved ones", async () => {
    const r = await run("deps", "component:ledger");
    expect(headerOf(r)?.text).toBe("Dependencies of ledger");
    expect(sectionTexts(r)[0]).toBe(
      [
        "• `component:default/ghost-service` _(unresolved)_",
        "• **payments-api** (component)",
        "• **payments-db** (resource)",
      ].join("\n"),
    );
    expect(contexts(r)).toContain("3 direct, 3 in total, direct only");
    expect(buttons(r).map((b) => b.command)).toEqual([
      "deps component:default/ledger --depth 2",
      "dependents component:default/ledger",
      "show component:default/ledger",
    ]);
  });

  it("indents deeper levels and marks repeats from cycles", async () => {
    const r = await run("deps", "payments-api", { depth: "2" });
    expect(sectionTexts(r)[0]).toBe(
      [
        "• **ledger** (component)",
        "    • `component:default/ghost-service` _(unresolved)_",
        "    • **payments-api** (component) _(the entity asked about: a cycle)_",
        // Its full entry is the next line, one level up: "already listed" said otherwise.
        "    • **payments-db** (resource) _(listed elsewhere in this tree)_",
        "• **payments-db** (resource)",
      ].join("\n"),
    );
    // Five lines, three entities: payments-db twice and the cycle back to payments-api are not more things
    // it depends on.
    expect(contexts(r).at(-1)).toBe(
      "2 direct, 3 distinct in total, depth 2; repeats are marked, not counted",
    );
  });

  it("counts an entity reached by two paths once in the total", async () => {
    const { item, entity } = await import("../../../test/fixtures/catalog-commands/small-catalog.ts");
    const diamond = smallGraph();
    diamond.upsert([
      item("component:default/top", entity("component:default/top", { dependsOn: ["left", "right"] })),
      item("component:default/left", entity("component:default/left", { dependsOn: ["resource:shared"] })),
      item("component:default/right", entity("component:default/right", { dependsOn: ["resource:shared"] })),
      item("resource:default/shared", entity("resource:default/shared")),
    ]);
    const resolver = new GraphNameResolver(diamond);
    const diamondApi = new CapturingApi();
    await catalogCommandsPlugin({ graph: diamond, resolver: () => resolver }).register(diamondApi);
    const r = await run("deps", "top", { depth: "2" }, diamondApi);
    expect(sectionTexts(r)[0]).toBe(
      [
        "• **left** (component)",
        "    • **shared** (resource)",
        "• **right** (component)",
        "    • **shared** (resource) _(listed elsewhere in this tree)_",
      ].join("\n"),
    );
    expect(contexts(r).at(-1)).toBe(
      "2 direct, 3 distinct in total, depth 2; repeats are marked, not counted",
    );
    const up = await run("dependents", "shared", { depth: "2" }, diamondApi);
    expect(contexts(up).at(-1)).toBe(
      "2 direct, 3 distinct in total, depth 2; repeats are marked, not counted",
    );
  });

  it("caps the depth at 5 and says so, and rejects a non-number", async () => {
    const capped = await run("deps", "payments-api", { depth: "9" });
    expect(contexts(capped).at(-1)).toContain("Depth is capped at 5.");
    expect(buttons(capped).map((b) => b.label)).not.toContain("Deeper");
    const bad = await run("deps", "payments-api", { depth: "lots" });
    expect(contexts(bad).at(-1)).toContain("--depth takes a whole number from 1 to 5");
  });

  it("lists dependents and keeps --depth on did-you-mean buttons", async () => {
    const r = await run("dependents", "payments-db");
    expect(headerOf(r)?.text).toBe("Dependents of payments-db");
    expect(r.text).toBe("Dependents of payments-db: ledger, payments-api");
    const typo = await run("dependents", "paymnts-db", { depth: "3" });
    expect(buttons(typo)[0]!.command).toBe("dependents resource:default/payments-db --depth 3");
  });

  it("says so when nothing depends on an entity", async () => {
    const r = await run("dependents", "checkout-web");
    expect(sectionTexts(r)[0]).toBe("Nothing in the catalog depends on **checkout-web**.");
  });

  it("stops a walk over a wide graph at 1,000 entries and says so", async () => {
    const hub = new CapturingApi();
    const wide = hubGraph(1_500);
    const resolver = new GraphNameResolver(wide);
    await catalogCommandsPlugin({ graph: wide, resolver: () => resolver }).register(hub);
    const r = await hub.commands.get("dependents")!.handler({
      args: "shared-db",
      flags: { depth: "999" },
      text: "dependents shared-db --depth 999",
      user: shell,
      conversation: { surface: "shell" },
      log,
    });
    expect(sectionTexts(r)[0]!.split("\n")).toHaveLength(60);
    expect(contexts(r)).toContain("and 940 more");
    expect(contexts(r).at(-1)).toBe(
      "1500 direct, depth 5; only the first 1,000 entries were walked. Use a smaller --depth, or ask about " +
        "one of them. Depth is capped at 5.",
    );
    expect(buttons(r).map((b) => b.label)).not.toContain("Deeper");
    expect(r.text).toMatch(/^Dependents of shared-db: (user-\d+, ){19}user-\d+ and 1480 more$/);
  });

  it("answers a missing argument with usage", async () => {
    expect((await run("deps", "")).text).toBe("Usage: deps <name> [--depth N]");
    expect((await run("dependents", "")).text).toBe("Usage: dependents <name> [--depth N]");
  });
});

describe("team", () => {
  it("shows members, parent, children and what the team owns by kind", async () => {
    const r = await run("team", "team-payments");
    expect(headerOf(r)?.text).toBe("Team Payments Team");
    expect(field(r, "Email")).toBe("payments@acme.test");
    expect(field(r, "Parent team")).toBe("**engineering**");
    expect(sectionTexts(r).find((t) => t.startsWith("**Members**"))).toContain(
      "• [**Alice Ng**](person:?slack=U0ALICE) · alice@acme.test",
    );
    expect(sectionTexts(r)).toContain("**Owns** (5)");
    expect(field(r, "Components (2)")).toBe("**checkout-web**, **payments-api**");
    expect(field(r, "API (1)")).toBe("**payments-rest**");
    expect(field(r, "Resource (1)")).toBe("**payments-db**");
    expect(field(r, "System (1)")).toBe("**Payments**");
    expect(buttons(r)[0]).toEqual({
      label: "Parent: engineering",
      command: "team group:default/engineering",
    });
  });

  it("lists child teams and truncates long owned lists with a count", async () => {
    const r = await run("team", "engineering");
    expect(field(r, "Child teams")).toBe("**team-ledger**, **Payments Team**");
    expect(buttons(r).map((b) => b.command)).toContain("team group:default/team-ledger");

    const big = smallGraph();
    const { item, entity } = await import("../../../test/fixtures/catalog-commands/small-catalog.ts");
    big.upsert(
      Array.from({ length: 53 }, (_, i) => {
        const ref = `component:default/svc-${String(i).padStart(2, "0")}`;
        return item(ref, entity(ref, { owner: "team-ledger" }));
      }),
    );
    const resolver = new GraphNameResolver(big);
    const bigApi = new CapturingApi();
    await catalogCommandsPlugin({ graph: big, resolver: () => resolver }).register(bigApi);
    const ctx = {
      args: "team-ledger",
      flags: {},
      text: "",
      user: shell,
      conversation: { surface: "shell" as const },
      log,
    };
    const team = await bigApi.commands.get("team")!.handler(ctx);
    expect(field(team, "Components (56)")).toMatch(
      /^\*\*ledger\*\*, \*\*svc-00\*\*, (\*\*svc-\d\d\*\*, ){7}\*\*svc-08\*\* and 46 more$/,
    );
  });

  it("shows a channel link once even when the channel id is annotated too", async () => {
    const r = await run("team", "team-ledger");
    expect(field(r, "Channel")).toBe("[#ledger](https://acme.slack.com/archives/C0LEDGER)");
    expect(sectionTexts(r)).toContain(
      "**Members** (1)\n• [**Carol Diaz**](person:?teams=carol.diaz%40acme.onmicrosoft.test) · carol@acme.test",
    );
  });

  it("never lets a descriptor's link pass for a person or another link", () => {
    const team = entity(
      "group:default/team-x",
      {},
      {
        links: [
          { url: "https://acme.slack.com/x)[y](person:?slack=U0BOSS", title: "#x" },
          { url: "person:?slack=U0BOSS&slack.com", title: "#y" },
        ],
      },
    );
    expect(channelMarkdown(team)).toBe("[#x](https://acme.slack.com/x%29[y]%28person:?slack=U0BOSS) · #y");
  });

  it("points from a non-group to its team", async () => {
    const r = await run("team", "payments-api");
    expect(sectionTexts(r)[0]).toBe(
      "**payments-api** is a component, not a team. It is owned by **Payments Team**.",
    );
    expect(buttons(r)[0]).toEqual({
      label: "Team Payments Team",
      command: "team group:default/team-payments",
    });
  });

  it("answers a missing argument with usage", async () => {
    expect((await run("team", "")).text).toBe("Usage: team <group>");
  });
});

describe("catalog stats", () => {
  it("counts entities by kind, relations and unresolved refs", async () => {
    const r = await run("catalog-stats", "");
    expect(headerOf(r)?.text).toBe("Catalog");
    expect(field(r, "Entities")).toBe("18");
    expect(field(r, "Relations")).toBe(String(graph.stats().relations));
    expect(field(r, "Unresolved refs")).toBe("2");
    expect(field(r, "Components")).toBe("7");
    expect(field(r, "Users")).toBe("3");
  });
});

describe("pickers, user mapping and home", () => {
  it("offers entities and owners by name prefix, filtered by kind", async () => {
    const entities = await api.options.get("entity")!.options("pay", {}, shell);
    expect(entities.map((o) => o.value)).toEqual([
      "system:default/payments",
      "component:default/payments-api",
      "resource:default/payments-db",
      "api:default/payments-rest",
      "group:default/team-payments",
    ]);
    expect(entities[0]).toEqual({
      value: "system:default/payments",
      label: "Payments (payments)",
      description: "system",
    });
    const owners = await api.options.get("owner")!.options("", {}, shell);
    expect(owners.every((o) => o.value.startsWith("group:") || o.value.startsWith("user:"))).toBe(true);
    expect(owners).toHaveLength(6);
    const apis = await api.options.get("entity")!.options("l", { kinds: ["api"] }, shell);
    expect(apis.map((o) => o.value)).toEqual(["api:default/ledger"]);
  });

  it("maps chat users to User entities by platform id or email", async () => {
    const users = api.users[0]!;
    expect(await users.resolve({ surface: "slack", id: "U0ALICE" })).toBe("user:default/alice");
    expect(await users.resolve({ surface: "teams", id: "aad-carol" })).toBe("user:default/carol");
    expect(await users.resolve({ surface: "teams", id: "x", email: "BOB@acme.test" })).toBe(
      "user:default/bob",
    );
    expect(await users.resolve({ surface: "shell", id: "nobody" })).toBeUndefined();
  });

  it("renders what the user's teams own on the home view", async () => {
    const home = api.home.get("my-teams")!;
    const r = await home.render({ surface: "slack", id: "U0ALICE" });
    expect(r && headerOf(r)?.text).toBe("Your teams");
    expect(r && field(r, "Components (2)")).toBe("**checkout-web**, **payments-api**");
    expect(r && buttons(r)).toEqual([
      { label: "Team Payments Team", command: "team group:default/team-payments" },
    ]);
    expect(await home.render({ surface: "slack", id: "stranger" })).toBeUndefined();
  });
});

describe("with the search resolver behind the graph, as the app wires them", () => {
  const index = new EmbeddedSearchIndex(":memory:");
  const wired = new CapturingApi();
  const withSearch = (name: string, args: string, flags: Record<string, string | true> = {}) =>
    run(name, args, flags, wired);

  beforeAll(async () => {
    const items = [
      ...SMALL_CATALOG.map(([ref, e]) => item(ref, e)),
      item("component:default/good-svc", entity("component:default/good-svc", { owner: "user:carol" })),
    ];
    const searchGraph = smallGraph();
    searchGraph.upsert(items);
    await index.rebuild(items.map(entityToDocument), "t");
    const resolver = firstFound(new GraphNameResolver(searchGraph), new SearchEntityResolver(index));
    await catalogCommandsPlugin({ graph: searchGraph, resolver: () => resolver }).register(wired);
  });
  afterAll(() => index.close());

  it("says in one line at the top which entity a typo was taken for, in every command", async () => {
    const note = 'Showing **payments-api** for "paymnets-api".';
    const owns = await withSearch("who-owns", "paymnets-api");
    expect(owns.blocks[0]).toEqual({ type: "context", text: note });
    expect(headerOf(owns)?.text).toBe("Who owns payments-api");
    expect(contexts(await withSearch("show", "paymnets-api"))[0]).toBe(note);
    expect(contexts(await withSearch("deps", "paymnets-api"))[0]).toBe(note);
    expect(contexts(await withSearch("dependents", "paymnets-api"))[0]).toBe(note);
    expect(contexts(await withSearch("team", "team-paymnets"))[0]).toBe(
      'Showing **team-payments** for "team-paymnets".',
    );
    // An exact name, a title or a name in another case is no correction: no line.
    for (const exact of ["payments-api", "Payments API", "component:default/payments-api"]) {
      expect((await withSearch("who-owns", exact)).blocks[0]!.type, exact).toBe("header");
    }
  });

  it("offers one weak candidate as did-you-mean, not as a choice between matches", async () => {
    const r = await withSearch("who-owns", "xyz-svc");
    expect(sectionTexts(r)[0]).toBe("I couldn't find **xyz-svc**. Did you mean **good-svc** (component)?");
    expect(buttons(r)).toEqual([
      { label: "good-svc (component)", command: "who owns component:default/good-svc" },
    ]);
    const none = await withSearch("who-owns", "zzqqzzqq");
    expect(sectionTexts(none)[0]).toBe("Nothing in the catalog is called **zzqqzzqq**.");
  });

  it("keeps a typed kind as a filter, and the exact resolver's suggestion first", async () => {
    const r = await withSearch("who-owns", "api:payments-api");
    expect(sectionTexts(r)[0]).toMatch(/^There is no API called \*\*payments-api\*\*\. Did you mean/);
    expect(buttons(r)[0]).toEqual({
      label: "payments-api (component)",
      command: "who owns component:default/payments-api",
    });
  });

  it("asks which one for a name in two kinds, though a search would rank one first", async () => {
    const r = await withSearch("show", "ledger");
    expect(sectionTexts(r)[0]).toBe("**ledger** matches more than one entity. Which one?");
    expect(buttons(r).map((b) => b.command)).toEqual([
      "show component:default/ledger",
      "show api:default/ledger",
    ]);
  });
});
