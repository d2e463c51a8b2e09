/**
 * Two replicas on one database, in one process: two CatalogService instances, each with its own store
 * connection, graph and replica name. What one writes reaches the other through the change log, listeners
 * (search) included, on SQLite and on PostgreSQL.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../db/open-database.ts";
import { providersUnderTest, testTarget, type TestTarget } from "../../db/test-database.ts";
import { CatalogService, type CatalogChange } from "../catalog-service.ts";
import { CatalogGraph } from "../graph/catalog-graph.ts";
import { readLocation } from "../ingest/read-location.ts";
import { PrismaCatalogStore } from "../store/prisma-catalog-store.ts";
import { ChangeFollower } from "./follow-changes.ts";

const log = pino({ level: "silent" });
const component = (name: string, owner: string) =>
  `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\nspec:\n  type: service\n  lifecycle: production\n  owner: ${owner}\n`;

for (const { provider, available } of await providersUnderTest()) {
  describe.skipIf(!available)(`replicas following the change log on ${provider}`, () => {
    let target: TestTarget;
    let dbs: Database[];
    let dir: string;

    beforeEach(() => {
      target = testTarget(provider);
      dbs = [];
      dir = mkdtempSync(join(tmpdir(), "cb-follow-"));
    });
    afterEach(async () => {
      await Promise.all(dbs.map((db) => db.close()));
      await target.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    async function replica() {
      const db = await target.open();
      dbs.push(db);
      const store = new PrismaCatalogStore(db);
      const graph = new CatalogGraph();
      const catalog = new CatalogService({
        store,
        graph,
        read: (t, previous) => readLocation(t, { parallel: false, ...(previous ? { previous } : {}) }),
        log,
        replica: store.replica,
      });
      const heard: CatalogChange[] = [];
      catalog.onChange((change) => {
        heard.push(change);
      });
      await catalog.load();
      return { db, store, graph, catalog, heard };
    }

    it("brings another replica's graph and listeners up to date with an import, a change and a removal", async () => {
      const [a, b] = [await replica(), await replica()];
      const file = join(dir, "catalog-info.yaml");
      writeFileSync(file, component("payments", "team-a"));
      await a.catalog.importLocation(file);
      expect(b.graph.has("component:default/payments")).toBe(false);

      expect(await b.catalog.followChanges()).toBe(1);
      expect(b.graph.owners("component:default/payments")).toEqual(["group:default/team-a"]);
      expect(b.heard.at(-1)?.upserted.map((e) => e.ref)).toEqual(["component:default/payments"]);
      // A replica skips its own entries: memory already holds them.
      expect(await a.catalog.followChanges()).toBe(0);
      expect(a.heard).toHaveLength(1);

      writeFileSync(file, component("payments", "team-b"));
      await a.catalog.importLocation(file);
      await b.catalog.followChanges();
      expect(b.graph.owners("component:default/payments")).toEqual(["group:default/team-b"]);

      await a.catalog.removeLocation(file);
      await b.catalog.followChanges();
      expect(b.graph.has("component:default/payments")).toBe(false);
      expect(b.heard.at(-1)?.removed).toEqual(["component:default/payments"]);
      expect(b.catalog.followedUpTo).toBe(await a.store.latestChange());
    });

    it("a replica started later holds what was written before it and follows from there", async () => {
      const a = await replica();
      const file = join(dir, "catalog-info.yaml");
      writeFileSync(file, component("payments", "team-a"));
      await a.catalog.importLocation(file);
      const late = await replica();
      expect(late.graph.has("component:default/payments")).toBe(true);
      expect(await late.catalog.followChanges()).toBe(0);
    });

    it("the follower job catches up when woken, and a full comparison finds what the log would have said", async () => {
      const [a, b] = [await replica(), await replica()];
      const follower = new ChangeFollower({ catalog: b.catalog, store: b.store, pollSeconds: 3600, log });
      const file = join(dir, "catalog-info.yaml");
      writeFileSync(file, component("ledger", "team-a"));
      await a.catalog.importLocation(file);
      await follower.wake();
      expect(b.graph.has("component:default/ledger")).toBe(true);

      // As if b missed the log: pruned entries, then a change it compares in full.
      writeFileSync(file, component("ledger", "team-c"));
      await a.catalog.importLocation(file);
      expect(await a.store.pruneChanges(new Date(Date.now() + 60_000))).toBeGreaterThan(0);
      expect(await b.catalog.followChanges()).toBe(0);
      expect(await b.catalog.resync()).toBe(1);
      expect(b.graph.owners("component:default/ledger")).toEqual(["group:default/team-c"]);
    });
  });
}
