import { fileURLToPath } from "node:url";
import pino from "pino";
import type { ChatCommand, PluginApi } from "../../plugins/api.ts";
import { EMPTY_CATALOG } from "../../plugins/registry.ts";
import type { ScaffolderAction } from "../actions/action.ts";
import { describe, expect, it } from "vitest";
import type { Entity } from "../../catalog/model/entity.ts";
import { FakeCatalog } from "../../../test/fixtures/scaffold/harness.ts";
import { Scaffolder, type ScaffolderCatalog } from "../scaffolder.ts";
import { TrustedLocations } from "../template/trusted-locations.ts";
import { scaffoldPlugin } from "./scaffold-plugin.ts";
import { templatesReply } from "./templates-command.ts";

const EXAMPLES = fileURLToPath(new URL("../../../examples", import.meta.url));

function template(
  name: string,
  location: string,
  extra: Partial<Entity["metadata"]> = {},
): { ref: string; entity: Entity } {
  return {
    ref: `template:default/${name}`,
    entity: {
      apiVersion: "scaffolder.backstage.io/v1beta3",
      kind: "Template",
      metadata: { name, annotations: { "backstage.io/managed-by-location": location }, ...extra },
      spec: { type: "service", steps: [] },
    },
  };
}

class TemplateCatalog extends FakeCatalog implements ScaffolderCatalog {
  constructor(private readonly list: Array<{ ref: string; entity: Entity }>) {
    super();
  }
  templates() {
    return this.list;
  }
}

function scaffolder(list: Array<{ ref: string; entity: Entity }>): Scaffolder {
  return new Scaffolder({
    catalog: new TemplateCatalog(list),
    actions: () => [],
    trusted: new TrustedLocations([EXAMPLES, "https://git.acme.test/templates"]),
    dataDir: "/tmp/unused",
  });
}

describe("scaffold templates", () => {
  const s = scaffolder([
    template("node-service", `file:${EXAMPLES}/acme/templates/node-service/template.yaml`, {
      title: "Node.js service",
      description: "A small HTTP service.",
      tags: ["nodejs", "service"],
    }),
    template("remote", "url:https://git.acme.test/templates/remote/template.yaml", { title: "Remote one" }),
    template("stray", "file:/home/someone/stray/template.yaml", { title: "Stray" }),
    template("lookalike", "url:https://git.acme.test/templates-evil/x/template.yaml", { title: "Lookalike" }),
  ]);

  it("lists every template with title, description and tags; untrusted ones as not runnable, with the reason", () => {
    const listed = s.listTemplates();
    expect(listed.map((t) => [t.name, t.runnable])).toEqual([
      ["lookalike", false],
      ["node-service", true],
      ["remote", true],
      ["stray", false],
    ]);
    expect(listed.find((t) => t.name === "stray")!.reason).toBe(
      `Not runnable: /home/someone/stray/template.yaml is not under a trusted location (trusted: ${EXAMPLES}, https://git.acme.test/templates/). Templates are code, so only trusted locations run.`,
    );
    const reply = templatesReply(listed);
    expect(reply.text).toBe(
      "4 software templates, 2 runnable here: Lookalike (lookalike) [not runnable], Node.js service (node-service), Remote one (remote), Stray (stray) [not runnable]",
    );
    expect(reply.blocks).toContainEqual({
      type: "section",
      text: "**Node.js service** (`node-service`)\nA small HTTP service.\nTags: `nodejs`, `service`",
    });
    expect(reply.blocks).toContainEqual({
      type: "actions",
      actions: [{ label: "Create", command: "scaffold node-service" }],
    });
    expect(reply.blocks.filter((b) => b.type === "actions")).toHaveLength(2);
  });

  it("refuses to load an untrusted template by name", async () => {
    await expect(s.catalogTemplate("stray")).rejects.toThrow(
      /^Template template:default\/stray: Not runnable/,
    );
    await expect(s.catalogTemplate("nope")).rejects.toThrow(
      /^No template named "nope" in the catalog\. Templates: /,
    );
  });

  it("says so when there are none", () => {
    expect(templatesReply([]).text).toBe("There are no software templates in the catalog.");
  });

  it("registers the command and the built-in actions through the plugin API", async () => {
    const commands: ChatCommand[] = [];
    const actions: ScaffolderAction[] = [];
    const ignore = () => {};
    const api: PluginApi = {
      log: pino({ level: "silent" }),
      outbox: {
        post: () => Promise.reject(new Error("not in this test")),
        update: () => Promise.reject(new Error("not in this test")),
      },
      baseUrl: "http://localhost:3000",
      config: {},
      catalog: EMPTY_CATALOG,
      addJob: ignore,
      addIndexSource: ignore,
      addCatalogProvider: ignore,
      addCommand: (c) => commands.push(c),
      addAction: (a) => actions.push(a),
      addForm: ignore,
      addOptionsProvider: ignore,
      addSearchProvider: ignore,
      addLinkUnfurler: ignore,
      addMessageListener: ignore,
      addUserResolver: ignore,
      addHomeSection: ignore,
      addHttpRoute: ignore,
    };
    await scaffoldPlugin({
      scaffolder: s,
      actions: { catalog: new FakeCatalog(), publishRoot: "/tmp/unused" },
    }).register(api);
    expect(commands.map((c) => [c.name, c.phrases])).toEqual([
      ["scaffold-templates", ["scaffold templates"]],
    ]);
    expect(actions.map((a) => a.id).sort()).toEqual([
      "catalog:fetch",
      "catalog:register",
      "catalog:write",
      "debug:log",
      "debug:wait",
      "fetch:plain",
      "fetch:plain:file",
      "fetch:template",
      "fetch:template:file",
      "fs:delete",
      "fs:readdir",
      "fs:rename",
      "publish:local",
    ]);
  });
});
