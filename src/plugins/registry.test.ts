import pino from "pino";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { reply } from "../message/reply.ts";
import { definePlugin, type HttpRoute, type Plugin } from "./api.ts";
import { ConfigError, defineConfigSection, readSettings } from "./config-section.ts";
import type { Outbox } from "./outbox.ts";
import { Registry } from "./registry.ts";

const log = pino({ level: "silent" });
const route = (method: HttpRoute["method"], path: string): HttpRoute => ({ method, path, handler: () => {} });
const command = (name: string) => ({
  name,
  phrases: [name],
  summary: name,
  usage: name,
  handler: () => reply(name),
});

const githubSettings = defineConfigSection({
  id: "github",
  schema: z.object({
    GITHUB_ORG: z.string().default("acme"),
    GITHUB_REFRESH_SECONDS: z.coerce.number().int().default(3600),
  }),
  yaml: { org: "GITHUB_ORG" },
});

describe("Registry", () => {
  it("records which plugin contributed what", async () => {
    const registry = new Registry(log);
    await registry.use(
      { id: "catalog", register: (api) => api.addCommand(command("show")) },
      {
        id: "docs",
        register(api) {
          api.addCommand(command("docs"));
          api.addHttpRoute(route("GET", "/docs/:namespace/:kind/:name/*"));
          api.addJob({ id: "docs-build", intervalSeconds: 60, run: () => {} });
          api.addIndexSource({ id: "docs", documents: () => [], fingerprintItems: () => [] });
        },
      },
      // A later plugin may replace a command on purpose; the registry says who holds it now.
      { id: "better-show", register: (api) => api.addCommand(command("show")) },
    );
    expect(registry.contributorOf("command", "show")).toBe("better-show");
    expect(registry.contributorOf("command", "docs")).toBe("docs");
    expect(registry.contributorOf("route", "GET /docs/:namespace/:kind/:name/*")).toBe("docs");
    expect(registry.contributorOf("index-source", "docs")).toBe("docs");
    expect(registry.ownedRoutes.map((r) => r.owner)).toEqual(["plugin docs"]);
    expect(registry.jobs.map((j) => [j.job.id, j.owner])).toEqual([["docs-build", "docs"]]);
    expect(registry.contributions.filter((c) => c.plugin === "docs").map((c) => c.kind)).toEqual([
      "command",
      "route",
      "job",
      "index-source",
    ]);
  });

  it("stops when two plugins' routes overlap, or they register a job, index source or provider of one id", async () => {
    const docs: Plugin = { id: "docs", register: (api) => api.addHttpRoute(route("GET", "/docs/*")) };
    await expect(
      new Registry(log).use(docs, {
        id: "wiki",
        register: (api) => api.addHttpRoute(route("GET", "/docs/:namespace/index")),
      }),
    ).rejects.toThrow("GET /docs/* (plugin docs) and GET /docs/:namespace/index (plugin wiki)");

    const job = { id: "sync", intervalSeconds: 1, run: () => {} };
    await expect(
      new Registry(log).use(
        { id: "a", register: (api) => api.addJob(job) },
        { id: "b", register: (api) => api.addJob(job) },
      ),
    ).rejects.toThrow('Plugins a and b both register a job "sync"');

    const provider = { id: "github", refreshSeconds: 0, locations: () => [] };
    await expect(
      new Registry(log).use(
        { id: "a", register: (api) => api.addCatalogProvider(provider) },
        { id: "b", register: (api) => api.addCatalogProvider(provider) },
      ),
    ).rejects.toThrow('Plugins a and b both register a catalog provider "github"');
  });

  it("gives every plugin the outbox and the base URL the composition root gave it", async () => {
    const outbox: Outbox = {
      post: async (address) => ({ address, id: "1" }),
      update: async (ref) => ref,
    };
    const seen: Array<[Outbox, string]> = [];
    await new Registry(log, { outbox, baseUrl: "https://callboard.example.com/" }).use({
      id: "notices",
      register: (api) => void seen.push([api.outbox, api.baseUrl]),
    });
    expect(seen).toEqual([[outbox, "https://callboard.example.com"]]);
    // Without one, posting says why it cannot.
    let fallback: Outbox | undefined;
    await new Registry(log).use({ id: "x", register: (api) => void (fallback = api.outbox) });
    await expect(fallback!.post({ adapter: "slack" }, reply("hi"))).rejects.toThrow(
      "No chat adapter is running",
    );
  });

  it("gives a plugin its own settings, typed, as read at start-up", async () => {
    let org = "";
    let seconds = 0;
    const plugin = definePlugin({
      id: "github",
      config: githubSettings,
      register(api) {
        // Typed from the schema: a string and a number, not unknown.
        org = api.config.GITHUB_ORG.toUpperCase();
        seconds = api.config.GITHUB_REFRESH_SECONDS + 1;
      },
    });
    const sections = readSettings([githubSettings], {
      GITHUB_ORG: "initech",
      GITHUB_REFRESH_SECONDS: "60",
    }).sections;
    await new Registry(log, { sections }).use(plugin);
    expect([org, seconds]).toEqual(["INITECH", 61]);

    // A test's registry, given no settings, reads the section's defaults.
    await new Registry(log).use(plugin);
    expect([org, seconds]).toEqual(["ACME", 3601]);
  });

  it("stops when a plugin's settings were not read at start-up, or its section is named for another", async () => {
    const plugin = definePlugin({ id: "github", config: githubSettings, register: () => {} });
    await expect(new Registry(log, { sections: new Map() }).use(plugin)).rejects.toThrow(ConfigError);
    await expect(new Registry(log, { sections: new Map() }).use(plugin)).rejects.toThrow(
      'Plugin github has settings (section "github") that were not read at start-up',
    );
    const misnamed = definePlugin({ id: "gh", config: githubSettings, register: () => {} });
    await expect(new Registry(log).use(misnamed)).rejects.toThrow('name it "gh"');
  });
});
