import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../db/open-database.ts";
import { providersUnderTest, testTarget, type TestTarget } from "../../db/test-database.ts";
import type { ProcessedEntity } from "../model/entity.ts";
import { PrismaCatalogStore } from "./prisma-catalog-store.ts";

function component(
  name: string,
  opts: { owner?: string; hash?: string; file?: string; line?: number } = {},
): ProcessedEntity {
  const ref = `component:default/${name}`;
  const owner = opts.owner ?? "group:default/team-a";
  return {
    ref,
    entity: {
      apiVersion: "backstage.io/v1alpha1",
      kind: "Component",
      metadata: { name, namespace: "default" },
      spec: { type: "service", owner, lifecycle: "production" },
    },
    source: { location: opts.file ?? "file:/repo/catalog-info.yaml", line: opts.line ?? 1 },
    relations: [
      { source: ref, type: "ownedBy", target: owner },
      { source: owner, type: "ownerOf", target: ref },
    ],
    hash: opts.hash ?? `hash-${name}`,
  };
}

/** Makes the database itself fail part-way through an import: a trigger rejects one entity by name. */
async function failOnEntityName(db: Database, name: string): Promise<void> {
  if (db.provider === "sqlite") {
    await db.prisma.$executeRawUnsafe(
      `CREATE TRIGGER inject_failure BEFORE INSERT ON "Entity" WHEN NEW."name" = '${name}' ` +
        `BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
    );
  } else {
    await db.prisma.$executeRawUnsafe(
      `CREATE FUNCTION inject_failure() RETURNS trigger AS $$ BEGIN ` +
        `IF NEW."name" = '${name}' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
    );
    await db.prisma.$executeRawUnsafe(
      `CREATE TRIGGER inject_failure BEFORE INSERT ON "Entity" FOR EACH ROW EXECUTE FUNCTION inject_failure()`,
    );
  }
}

for (const { provider, available } of await providersUnderTest()) {
  describe.skipIf(!available)(`PrismaCatalogStore on ${provider}`, () => {
    let target: TestTarget;
    let db: Database;
    let store: PrismaCatalogStore;

    beforeEach(async () => {
      target = testTarget(provider);
      db = await target.open();
      store = new PrismaCatalogStore(db);
    });
    afterEach(async () => {
      await db.close();
      await target.drop();
    });

    // Replicas share PostgreSQL. Two SQLite connections in one process cannot wait for each other (the
    // driver is synchronous), so SQLite's second writer is a second process, covered by BEGIN IMMEDIATE.
    it.skipIf(provider === "sqlite")(
      "lets two replicas import the same catalog at once without either failing",
      async () => {
        const other = await target.open();
        try {
          const entities = Array.from({ length: 50 }, (_, i) => component(`svc-${i}`));
          const results = await Promise.all([
            store.replaceLocation("loc-a", entities, []),
            new PrismaCatalogStore(other).replaceLocation("loc-a", entities, []),
          ]);
          expect(results.map((r) => r.added.length).sort()).toEqual([0, 50]);
          expect((await store.loadAll()).length).toBe(50);
        } finally {
          await other.close();
        }
      },
    );

    it("keeps the refs it is told to keep, as stored, though the location no longer declares them", async () => {
      await store.replaceLocation("loc-a", [component("one"), component("two"), component("three")], []);
      const result = await store.replaceLocation(
        "loc-a",
        [component("one")],
        [],
        ["component:default/two", "component:default/elsewhere"],
      );
      expect(result.removed).toEqual(["component:default/three"]);
      expect(result.unchanged).toBe(2);
      expect((await storedAt(store, "loc-a")).map((e) => e.ref).sort()).toEqual([
        "component:default/one",
        "component:default/two",
      ]);
      expect((await store.listLocations())[0]?.entityCount).toBe(2);
    });

    it("adds, updates, keeps unchanged and removes entities of a location", async () => {
      const first = await store.replaceLocation(
        "loc-a",
        [component("one"), component("two"), component("three")],
        [],
      );
      expect(first.added.sort()).toEqual([
        "component:default/one",
        "component:default/three",
        "component:default/two",
      ]);
      expect(first).toMatchObject({ updated: [], removed: [], unchanged: 0, conflicts: [] });

      const before = await db.prisma.entity.findUnique({ where: { ref: "component:default/one" } });
      const second = await store.replaceLocation(
        "loc-a",
        [
          component("one"),
          component("two", { owner: "group:default/team-b", hash: "changed" }),
          component("four"),
        ],
        [{ location: "file:/repo/catalog-info.yaml", line: 9, message: "bad thing" }],
      );
      expect(second).toMatchObject({
        added: ["component:default/four"],
        updated: ["component:default/two"],
        removed: ["component:default/three"],
        unchanged: 1,
        conflicts: [],
      });
      // Unchanged rows are not rewritten.
      const after = await db.prisma.entity.findUnique({ where: { ref: "component:default/one" } });
      expect(after?.updatedAt.getTime()).toBe(before?.updatedAt.getTime());

      const all = await store.loadAll();
      expect(all.map((e) => e.ref).sort()).toEqual([
        "component:default/four",
        "component:default/one",
        "component:default/two",
      ]);
      const two = all.find((e) => e.ref === "component:default/two")!;
      expect(two.hash).toBe("changed");
      expect(two.entity.spec?.owner).toBe("group:default/team-b");
      expect(two.relations).toContainEqual({
        source: "component:default/two",
        type: "ownedBy",
        target: "group:default/team-b",
      });
      expect(two.relations).toHaveLength(2);
      expect(two.source).toEqual({ location: "file:/repo/catalog-info.yaml", line: 1 });

      const [location] = await store.listLocations();
      expect(location).toMatchObject({ key: "loc-a", entityCount: 3 });
      expect(location?.problems).toEqual([
        { location: "file:/repo/catalog-info.yaml", line: 9, message: "bad thing" },
      ]);
      expect(location?.importedAt).toBeInstanceOf(Date);
    });

    it("leaves a ref with the location that declared it first and reports the conflict", async () => {
      await store.replaceLocation("loc-a", [component("shared", { owner: "group:default/a" })], []);
      const result = await store.replaceLocation(
        "loc-b",
        [
          component("shared", { owner: "group:default/b", file: "file:/other/catalog-info.yaml", line: 4 }),
          component("mine"),
        ],
        [],
      );
      expect(result.added).toEqual(["component:default/mine"]);
      expect(result.conflicts).toHaveLength(1);
      expect(result.conflicts[0]).toMatchObject({
        location: "file:/other/catalog-info.yaml",
        line: 4,
        ref: "component:default/shared",
      });
      expect(result.conflicts[0]?.message).toContain("loc-a");
      const shared = (await store.loadAll()).find((e) => e.ref === "component:default/shared");
      expect(shared?.locationKey).toBe("loc-a");
      expect(shared?.entity.spec?.owner).toBe("group:default/a");
      expect((await store.listLocations()).find((l) => l.key === "loc-b")?.problems).toHaveLength(1);
    });

    it("reports a ref declared twice in one location and keeps the first", async () => {
      const result = await store.replaceLocation(
        "loc-a",
        [component("dup", { line: 1 }), component("dup", { line: 20, hash: "other" })],
        [],
      );
      expect(result.added).toEqual(["component:default/dup"]);
      expect(result.conflicts[0]).toMatchObject({ ref: "component:default/dup", line: 20 });
      expect((await store.loadAll())[0]?.hash).toBe("hash-dup");
    });

    it("rolls back everything when the database fails part-way through an import", async () => {
      await store.replaceLocation("loc-a", [component("one"), component("two")], []);
      const before = { entities: await store.loadAll(), locations: await store.listLocations() };

      await failOnEntityName(db, "boom");
      await expect(
        store.replaceLocation(
          "loc-a",
          [
            component("one", { hash: "new" }),
            component("three"),
            component("boom", { owner: "group:default/explode" }),
          ],
          [{ location: "x", message: "y" }],
        ),
      ).rejects.toThrow(/Storing location loc-a \(nothing of it was stored\) failed: .*injected failure/);

      expect(await store.loadAll()).toEqual(before.entities);
      expect(await store.listLocations()).toEqual(before.locations);
    });

    it("removes a location with its entities and relations", async () => {
      await store.replaceLocation("loc-a", [component("one")], []);
      await store.replaceLocation("loc-b", [component("two")], []);
      const result = await store.removeLocation("loc-a");
      expect(result.removed).toEqual(["component:default/one"]);
      expect((await store.loadAll()).map((e) => e.ref)).toEqual(["component:default/two"]);
      expect(await storedAt(store, "loc-b")).toHaveLength(1);
      expect(await storedAt(store, "loc-a")).toEqual([]);
      expect((await store.loadAll())[0]?.relations).toEqual(component("two").relations);
      expect((await store.listLocations()).map((l) => l.key)).toEqual(["loc-b"]);
    });

    it("handles imports larger than one batch", async () => {
      const many = Array.from({ length: 12_345 }, (_, i) => component(`svc-${i}`));
      const result = await store.replaceLocation("big", many, []);
      expect(result.added).toHaveLength(12_345);
      const again = await store.replaceLocation("big", many.slice(0, 6_000), []);
      expect(again).toMatchObject({ unchanged: 6_000, added: [] });
      expect(again.removed).toHaveLength(6_345);
      const stored = await store.loadAll();
      expect(stored).toHaveLength(6_000);
      expect(stored.reduce((n, e) => n + e.relations.length, 0)).toBe(12_000);
      expect(await storedAt(store, "big")).toEqual(stored);
    });
  });
}

async function storedAt(store: PrismaCatalogStore, locationKey: string) {
  return (await store.loadAll()).filter((e) => e.locationKey === locationKey);
}
