import pino from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Outbox } from "../plugins/outbox.ts";
import { startJobs } from "../plugins/jobs.ts";
import {
  CatalogProviders,
  configuredCatalog,
  type CatalogImports,
  type CatalogProvider,
} from "./catalog-providers.ts";
import type { ImportReport, LocationReader } from "./catalog-service.ts";

const outbox: Outbox = { post: vi.fn(), update: vi.fn() };

function report(locationKey: string, added: string[] = []): ImportReport {
  return {
    locationKey,
    added,
    updated: [],
    removed: [],
    unchanged: 0,
    conflicts: [],
    problems: [],
    notes: [],
    files: [],
    kept: [],
  };
}

/** The catalog as the providers see it: stored keys, and every import and removal with its actor. */
function fakeCatalog(keys: string[] = []) {
  const stored = new Set(keys);
  const calls: Array<[string, string, string, LocationReader | undefined]> = [];
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  let fail: string | undefined;
  let onImport: (target: string) => Promise<void> | void = () => {};
  const deps = {
    log,
    providers: () => [] as CatalogProvider[],
    importLocation: async (target: string, actor: string, read?: LocationReader) => {
      calls.push(["import", target, actor, read]);
      await onImport(target);
      if (target === fail) throw new Error(`database is gone while importing ${target}`);
      stored.add(target);
      return report(target, target.includes("new") ? [`component:default/${target.length}`] : []);
    },
    removeLocation: async (target: string, actor: string) => {
      calls.push(["remove", target, actor, undefined]);
      stored.delete(target);
    },
    locations: async () => [...stored].map((key) => ({ key })),
  };
  return {
    deps,
    calls,
    lines,
    stored,
    failOn: (target: string) => (fail = target),
    whileImporting: (hook: (target: string) => Promise<void> | void) => (onImport = hook),
  };
}

const signal = () => new AbortController().signal;

describe("the configured catalog, the built-in provider", () => {
  it("imports the configured location at start-up, or the example when nothing is stored", async () => {
    const empty = fakeCatalog();
    const given = fakeCatalog(["file:/srv/org/catalog-info.yaml"]);
    for (const [catalog, target, expected] of [
      [empty, undefined, ["file:/example.yaml"]],
      [empty, "/srv/org", ["/srv/org"]],
      [given, undefined, []],
    ] as const) {
      catalog.calls.length = 0;
      const provider = configuredCatalog({
        target,
        example: "file:/example.yaml",
        refreshSeconds: 0,
        locations: catalog.deps.locations,
      });
      const providers = new CatalogProviders({ ...catalog.deps, providers: () => [provider] });
      const reports = await providers.startUp();
      expect(catalog.calls.map((c) => [c[1], c[2]])).toEqual(expected.map((t) => [t, "startup"]));
      expect(reports.map((r) => r.locationKey)).toEqual(expected);
    }
  });

  it("refreshes every stored file and URL location, leaving other providers' locations to them", async () => {
    const catalog = fakeCatalog(["file:/srv/a.yaml", "github:acme/payments", "url:https://x.test/new.yaml"]);
    const provider = configuredCatalog({
      example: "file:/example.yaml",
      refreshSeconds: 60,
      locations: catalog.deps.locations,
    });
    await new CatalogProviders(catalog.deps).refresh(provider, { signal: signal(), log: catalog.deps.log });
    expect(catalog.calls.map((c) => [c[1], c[2]])).toEqual([
      ["file:/srv/a.yaml", "refresh"],
      ["url:https://x.test/new.yaml", "refresh"],
    ]);
    // Only the location that changed is worth a line, the same line as `callboard import` gives in brief.
    expect(catalog.lines.map((l) => l.msg)).toEqual([
      "Imported url:https://x.test/new.yaml: 1 added, 0 updated, 0 removed, 0 unchanged, 0 problems.",
    ]);
  });
});

describe("CatalogProviders", () => {
  const github = (repos: () => string[]): CatalogProvider & { imports?: CatalogImports } => {
    const read: LocationReader = async () => ({ entities: [], problems: [], files: [] });
    const provider: CatalogProvider & { imports?: CatalogImports } = {
      id: "github",
      refreshSeconds: 600,
      refreshAtStart: true,
      locations: () => repos().map((repo) => ({ target: `github:${repo}`, read })),
      owns: (key) => key.startsWith("github:"),
      attach: (imports) => void (provider.imports = imports),
    };
    return provider;
  };

  it("imports a provider's locations with its reader, then removes its stored ones it no longer lists", async () => {
    const catalog = fakeCatalog(["github:acme/gone", "file:/srv/a.yaml"]);
    const provider = github(() => ["acme/payments", "acme/new-ledger"]);
    await new CatalogProviders(catalog.deps).refresh(provider, { signal: signal(), log: catalog.deps.log });
    expect(catalog.calls.map((c) => [c[0], c[1], c[2], typeof c[3]])).toEqual([
      ["import", "github:acme/payments", "refresh", "function"],
      ["import", "github:acme/new-ledger", "refresh", "function"],
      ["remove", "github:acme/gone", "refresh", "undefined"],
    ]);
    expect([...catalog.stored].sort()).toEqual([
      "file:/srv/a.yaml",
      "github:acme/new-ledger",
      "github:acme/payments",
    ]);
    expect(catalog.lines.at(-1)?.msg).toBe("Removed github:acme/gone: github no longer lists it.");
  });

  it("logs a failed refresh and removes nothing, and the next refresh runs as usual", async () => {
    const catalog = fakeCatalog(["github:acme/gone"]);
    const provider = github(() => ["acme/payments", "acme/ledger"]);
    catalog.failOn("github:acme/payments");
    const providers = new CatalogProviders(catalog.deps);
    await providers.refresh(provider, { signal: signal(), log: catalog.deps.log });
    expect(catalog.lines.find((l) => l.msg === "catalog refresh failed")).toMatchObject({
      level: 50,
      err: { message: "database is gone while importing github:acme/payments" },
    });
    expect(catalog.stored.has("github:acme/gone")).toBe(true);
    catalog.failOn("none");
    await providers.refresh(provider, { signal: signal(), log: catalog.deps.log });
    expect(catalog.stored.has("github:acme/gone")).toBe(false);
  });

  it("stops between locations once told to, and removes nothing then", async () => {
    const catalog = fakeCatalog(["github:acme/gone"]);
    const controller = new AbortController();
    catalog.whileImporting(() => controller.abort());
    await new CatalogProviders(catalog.deps).refresh(
      github(() => ["acme/a", "acme/b"]),
      {
        signal: controller.signal,
        log: catalog.deps.log,
      },
    );
    expect(catalog.calls.map((c) => c[1])).toEqual(["github:acme/a"]);
    expect(catalog.stored.has("github:acme/gone")).toBe(true);
  });

  it("hands a provider the imports it may make out of schedule (a push webhook), audited as its own", async () => {
    const catalog = fakeCatalog();
    const provider = github(() => []);
    await new CatalogProviders({ ...catalog.deps, providers: () => [provider] }).startUp();
    await provider.imports!.importLocation({ target: "github:acme/pushed" });
    await provider.imports!.removeLocation("github:acme/pushed");
    expect(catalog.calls.map((c) => [c[0], c[1], c[2]])).toEqual([
      ["import", "github:acme/pushed", "provider:github"],
      ["remove", "github:acme/pushed", "provider:github"],
    ]);
  });

  describe("as a job", () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it("refreshes each provider registered by then on its own schedule, until shutdown", async () => {
      const catalog = fakeCatalog(["file:/srv/a.yaml"]);
      const registered: CatalogProvider[] = [];
      const providers = new CatalogProviders({ ...catalog.deps, providers: () => registered });
      const job = providers.job();
      // Registered after the job was: a plugin that came later (GitHub after the catalog).
      registered.push(
        configuredCatalog({ example: "x", refreshSeconds: 30, locations: catalog.deps.locations }),
        github(() => ["acme/payments"]),
      );
      const running = startJobs([{ job, owner: "catalog" }], { log: catalog.deps.log, outbox });
      await vi.advanceTimersByTimeAsync(0);
      // GitHub refreshes at start; the configured catalog, imported at start-up, waits its interval.
      expect(catalog.calls.map((c) => c[1])).toEqual(["github:acme/payments"]);
      await vi.advanceTimersByTimeAsync(30_000);
      expect(catalog.calls.map((c) => c[1]).filter((t) => t.startsWith("file:"))).toEqual([
        "file:/srv/a.yaml",
      ]);
      await running.stop();
      const after = catalog.calls.length;
      await vi.advanceTimersByTimeAsync(3_600_000);
      expect(catalog.calls.length).toBe(after);
    });
  });
});
