import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../db/open-database.ts";
import {
  CatalogService,
  locationKey,
  type CatalogChange,
  type CatalogListener,
  type LocationReader,
} from "./catalog-service.ts";
import { CatalogGraph } from "./graph/catalog-graph.ts";
import { readLocation } from "./ingest/read-location.ts";
import { PrismaCatalogStore } from "./store/prisma-catalog-store.ts";

const log = pino({ level: "silent" });

const component = (name: string, owner = "team-a", extra = "") => `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${name}
spec:
  type: service
  lifecycle: production
  owner: ${owner}
${extra}`;

const group = (name: string) => `apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: ${name}
spec:
  type: team
  children: []
`;

describe("CatalogService over a real SQLite file", () => {
  let dir: string;
  let db: Database;
  let graph: CatalogGraph;
  let service: CatalogService;
  let read: LocationReader;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "cb-service-"));
    db = await openDatabase({ sqlitePath: join(dir, "callboard.db"), log });
    graph = new CatalogGraph();
    read = (target) => readLocation(target);
    service = new CatalogService({ store: new PrismaCatalogStore(db), graph, read: (t) => read(t), log });
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);

  it("keeps notes apart from problems: stored with the location, listed apart, and never keeping old entities", async () => {
    const location = (presence: string) =>
      `apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  presence: ${presence}\n  targets: [./b.yaml, ./not-yet.yaml]\n`;
    write("b.yaml", component("billing"));
    write("root.yaml", location("optional"));
    const first = await service.importLocation(join(dir, "root.yaml"));
    expect(first.problems).toEqual([]);
    expect(first.notes.map((n) => [n.field, n.severity])).toEqual([["spec.targets[1]", "note"]]);
    const [stored] = await service.locations();
    expect(stored?.problems).toEqual([]);
    expect(stored?.notes).toEqual(first.notes);

    // With only a note, billing's removal from b.yaml is a real removal, not a file that failed to read.
    write("b.yaml", group("team-a"));
    const second = await service.importLocation(join(dir, "root.yaml"));
    expect(second.removed).toEqual(["component:default/billing"]);
    expect(second.kept).toEqual([]);
  });

  it("re-importing a location replaces what it produced and skips unchanged entities", async () => {
    write("a.yaml", [group("team-a"), component("payments-api"), component("ledger")].join("---\n"));
    const first = await service.importLocation(join(dir, "a.yaml"));
    expect(first.added.sort()).toEqual([
      "component:default/ledger",
      "component:default/payments-api",
      "group:default/team-a",
    ]);
    expect(graph.owners("component:default/payments-api")).toEqual(["group:default/team-a"]);

    write("a.yaml", [group("team-a"), component("payments-api", "team-b")].join("---\n"));
    const second = await service.importLocation(join(dir, "a.yaml"));
    expect(second.updated).toEqual(["component:default/payments-api"]);
    expect(second.removed).toEqual(["component:default/ledger"]);
    expect(second.unchanged).toBe(1);
    expect(graph.has("component:default/ledger")).toBe(false);
    expect(graph.owners("component:default/payments-api")).toEqual(["group:default/team-b"]);

    // What is stored is what the graph holds: a fresh graph loaded from the database agrees.
    const reloaded = new CatalogGraph();
    await new CatalogService({ store: new PrismaCatalogStore(db), graph: reloaded, read, log }).load();
    expect(reloaded.size).toBe(graph.size);
    expect(reloaded.owners("component:default/payments-api")).toEqual(["group:default/team-b"]);
  });

  it("keeps the first location's entity when a second claims the same ref, and reports it", async () => {
    write("a.yaml", component("payments-api"));
    write("b.yaml", component("payments-api", "team-b"));
    await service.importLocation(join(dir, "a.yaml"));
    const second = await service.importLocation(join(dir, "b.yaml"));
    expect(second.added).toEqual([]);
    expect(second.problems.map((p) => p.ref)).toContain("component:default/payments-api");
    expect(graph.owners("component:default/payments-api")).toEqual(["group:default/team-a"]);
  });

  it("keeps the last good version of entities whose file breaks, and reports the file and line", async () => {
    write("a.yaml", [component("payments-api"), component("ledger")].join("---\n"));
    await service.importLocation(join(dir, "a.yaml"));
    write("a.yaml", `${component("payments-api")}---\nkind: Component\nmetadata: [unclosed\n`);
    const report = await service.importLocation(join(dir, "a.yaml"));
    expect(report.kept).toEqual(["component:default/ledger"]);
    expect(report.removed).toEqual([]);
    expect(report.problems[0]?.location).toBe(`file:${join(dir, "a.yaml")}`);
    expect(report.problems[0]?.line).toBeGreaterThan(1);
    expect(graph.has("component:default/ledger")).toBe(true);
  });

  it("leaves the database and the graph exactly as they were when an import fails half-way", async () => {
    write("a.yaml", [group("team-a"), component("payments-api")].join("---\n"));
    await service.importLocation(join(dir, "a.yaml"));
    const before = (await new PrismaCatalogStore(db).loadAll()).map((e) => [e.ref, e.hash]).sort();

    write(
      "a.yaml",
      [group("team-a"), component("payments-api", "team-z"), component("new-one")].join("---\n"),
    );
    // A reader whose last entity cannot be stored (no hash): the store fails in the middle of its write.
    read = async (target) => {
      const result = await readLocation(target);
      const broken = result.entities.map((e, i) =>
        i === result.entities.length - 1 ? { ...e, hash: undefined as unknown as string } : e,
      );
      return { ...result, entities: broken };
    };
    await expect(service.importLocation(join(dir, "a.yaml"))).rejects.toThrow();
    const after = (await new PrismaCatalogStore(db).loadAll()).map((e) => [e.ref, e.hash]).sort();
    expect(after).toEqual(before);
    expect(graph.has("component:default/new-one")).toBe(false);
    expect(graph.owners("component:default/payments-api")).toEqual(["group:default/team-a"]);
  });

  it("keys locations the same way however they are named", () => {
    expect(locationKey("./x/catalog-info.yaml", "/srv")).toBe("file:/srv/x/catalog-info.yaml");
    expect(locationKey("file:./x/catalog-info.yaml", "/srv")).toBe("file:/srv/x/catalog-info.yaml");
    expect(locationKey("https://example.com/c.yaml")).toBe("url:https://example.com/c.yaml");
    expect(locationKey("url:https://example.com/c.yaml")).toBe("url:https://example.com/c.yaml");
    write("catalog-info.yaml", component("x"));
    expect(locationKey(dir)).toBe(`file:${join(dir, "catalog-info.yaml")}`);
    expect(locationKey(`file:${dir}/`)).toBe(`file:${join(dir, "catalog-info.yaml")}`);
    // A catalog provider's location is its own key; a drive letter is not a scheme.
    expect(locationKey(" github:acme/payments ")).toBe("github:acme/payments");
    expect(locationKey("C:/catalog.yaml", "/srv")).toBe("file:/srv/C:/catalog.yaml");
  });

  it("imports a provider's location through the provider's reader, under the provider's key", async () => {
    write("repo.yaml", component("from-github"));
    const asked: string[] = [];
    const reader: LocationReader = async (key) => {
      asked.push(key);
      return readLocation(join(dir, "repo.yaml"));
    };
    const report = await service.importLocation("github:acme/payments", reader);
    expect(asked).toEqual(["github:acme/payments"]);
    expect(report.locationKey).toBe("github:acme/payments");
    expect(report.added).toEqual(["component:default/from-github"]);
    expect((await service.locations()).map((l) => l.key)).toEqual(["github:acme/payments"]);
    // Without its reader it is not read as a file named "github:acme/payments".
    await expect(service.importLocation("github:acme/payments")).rejects.toThrow(
      "github:acme/payments is read by the catalog provider that named it",
    );
    await service.removeLocation("github:acme/payments");
    expect(graph.get("component:default/from-github")).toBeUndefined();
    expect(await service.locations()).toEqual([]);
  });

  it("keeps what sits below a broken Location file until an import is clean again", async () => {
    const location = (name: string, targets: string[]) =>
      `apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: ${name}\nspec:\n  targets: [${targets.map((t) => `"${t}"`).join(", ")}]\n`;
    write("root.yaml", location("root", ["./teams.yaml"]));
    write("teams.yaml", location("teams", ["./a.yaml"]));
    write("a.yaml", group("team-a"));
    await service.importLocation(join(dir, "root.yaml"));
    expect(graph.has("group:default/team-a")).toBe(true);

    write("teams.yaml", "kind: Location\nspec: [broken\n");
    const broken = await service.importLocation(join(dir, "root.yaml"));
    expect(broken.removed).toEqual([]);
    expect(broken.kept).toContain("group:default/team-a");
    expect(graph.has("group:default/team-a")).toBe(true);

    write("teams.yaml", location("teams", []));
    const clean = await service.importLocation(join(dir, "root.yaml"));
    expect(clean.removed).toContain("group:default/team-a");
    expect(graph.has("group:default/team-a")).toBe(false);
  });

  it("brings a second replica's graph up to date even when the first already stored the change", async () => {
    write("a.yaml", [group("team-a"), component("payments-api")].join("---\n"));
    await service.importLocation(join(dir, "a.yaml"));
    const otherGraph = new CatalogGraph();
    const other = new CatalogService({ store: new PrismaCatalogStore(db), graph: otherGraph, read, log });
    await other.load();

    write(
      "a.yaml",
      [group("team-a"), component("payments-api", "team-b"), component("ledger")].join("---\n"),
    );
    await service.importLocation(join(dir, "a.yaml"));
    const seen: string[] = [];
    other.onChange((change) => void seen.push(...change.upserted.map((e) => e.ref), ...change.removed));
    const second = await other.importLocation(join(dir, "a.yaml"));
    expect(second.added).toEqual([]);
    expect(otherGraph.has("component:default/ledger")).toBe(true);
    expect(otherGraph.owners("component:default/payments-api")).toEqual(["group:default/team-b"]);
    expect(seen.sort()).toEqual(["component:default/ledger", "component:default/payments-api"]);
  });

  describe("listeners that stage a change while the store writes it", () => {
    const refs = (change: CatalogChange) => [...change.upserted.map((e) => e.ref), ...change.removed].sort();

    /** Records what it is asked to do, in order; `seen` says whether the store had committed by then. */
    function recorder(look: () => Promise<boolean>) {
      const events: string[] = [];
      const listener: CatalogListener = {
        changed: (change) => void events.push(`changed ${refs(change).join(" ")}`),
        stage: (expected) => {
          events.push(`stage ${refs(expected).join(" ")}`);
          return {
            commit: async () => void events.push(`commit, stored: ${await look()}`),
            abort: async () => void events.push(`abort, stored: ${await look()}`),
          };
        },
      };
      return { events, listener };
    }
    const stored = (ref: string) => async () =>
      (await new PrismaCatalogStore(db).loadAll()).some((e) => e.ref === ref);

    it("starts the listener's work before the store writes, and commits it after", async () => {
      write("a.yaml", [group("team-a"), component("payments-api")].join("---\n"));
      const { events, listener } = recorder(stored("component:default/payments-api"));
      const store = new PrismaCatalogStore(db);
      const replaceLocation = store.replaceLocation.bind(store);
      store.replaceLocation = async (...args) => {
        events.push("store writes");
        return replaceLocation(...args);
      };
      const staging = new CatalogService({ store, graph: new CatalogGraph(), read, log });
      staging.onChange(listener);
      await staging.importLocation(join(dir, "a.yaml"));
      expect(events).toEqual([
        "stage component:default/payments-api group:default/team-a",
        "store writes",
        "commit, stored: true",
      ]);

      // Nothing changed: nothing to stage, nothing to tell.
      await staging.importLocation(join(dir, "a.yaml"));
      expect(events.filter((e) => e !== "store writes")).toHaveLength(2);
    });

    it("still imports, and tells the listener after the store, when staging throws", async () => {
      write("a.yaml", [group("team-a"), component("payments-api")].join("---\n"));
      const changed: string[][] = [];
      service.onChange({
        changed: (change) => void changed.push(refs(change)),
        stage: () => {
          throw new Error("no staging today");
        },
      });
      const report = await service.importLocation(join(dir, "a.yaml"));
      expect(report.added).toHaveLength(2);
      expect(changed).toEqual([["component:default/payments-api", "group:default/team-a"]]);
    });

    it("says the location was stored when only a listener failed afterwards", async () => {
      write("a.yaml", [group("team-a"), component("payments-api")].join("---\n"));
      service.onChange(() => {
        throw new Error("index disk full");
      });
      await expect(service.importLocation(join(dir, "a.yaml"))).rejects.toThrow(
        /a\.yaml was stored, but bringing derived state \(the search index\) up to date failed: index disk full/,
      );
      expect(graph.has("component:default/payments-api")).toBe(true);
      expect((await new PrismaCatalogStore(db).loadAll()).map((e) => e.ref)).toContain(
        "component:default/payments-api",
      );
    });

    it("throws the staged work away when the store fails, and tells the listener nothing else", async () => {
      write("a.yaml", [group("team-a"), component("payments-api")].join("---\n"));
      await service.importLocation(join(dir, "a.yaml"));
      write("a.yaml", [group("team-a"), component("payments-api", "team-z")].join("---\n"));
      const { events, listener } = recorder(
        async () => graph.owners("component:default/payments-api")[0] === "group:default/team-z",
      );
      service.onChange(listener);
      read = async (target) => {
        const result = await readLocation(target);
        return {
          ...result,
          entities: result.entities.map((e) => ({ ...e, hash: undefined as unknown as string })),
        };
      };
      await expect(service.importLocation(join(dir, "a.yaml"))).rejects.toThrow();
      expect(events).toEqual([
        "stage component:default/payments-api group:default/team-a",
        "abort, stored: false",
      ]);
    });

    it("throws the staged work away and tells the listener what was stored when the store decides otherwise", async () => {
      // Another replica registered b.yaml first; this replica's memory has not seen it, so it expects to
      // take component:default/shared, and the store keeps it with b.yaml.
      write("b.yaml", component("shared"));
      const otherService = new CatalogService({
        store: new PrismaCatalogStore(db),
        graph: new CatalogGraph(),
        read,
        log,
      });
      await otherService.importLocation(join(dir, "b.yaml"));
      write("a.yaml", [group("team-a"), component("shared")].join("---\n"));
      const { events, listener } = recorder(async () => graph.has("group:default/team-a"));
      service.onChange(listener);
      const report = await service.importLocation(join(dir, "a.yaml"));
      expect(report.problems.map((p) => p.ref)).toContain("component:default/shared");
      expect(events).toEqual([
        "stage component:default/shared group:default/team-a",
        "abort, stored: false",
        "changed group:default/team-a",
      ]);
      expect(graph.has("component:default/shared")).toBe(false);
    });
  });
});
