import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "./open-database.ts";
import { PrismaProviderStateStore } from "./provider-state-store.ts";
import { providersUnderTest, testTarget, type TestTarget } from "./test-database.ts";

for (const { provider, available } of await providersUnderTest()) {
  describe.skipIf(!available)(`catalog providers' state on ${provider}`, () => {
    let target: TestTarget;
    let db: Database;
    beforeEach(async () => {
      target = testTarget(provider);
      db = await target.open();
    });
    afterEach(async () => {
      await db.close();
      await target.drop();
    });

    it("keeps values by provider and key, overwrites, lists by prefix and deletes", async () => {
      const store = new PrismaProviderStateStore(db.prisma);
      await store.put("github@a", "repo:1", '{"n":1}');
      await store.put("github@a", "repo:1", '{"n":2}');
      await store.put("github@a", "repo:2", "{}");
      await store.put("github@a", "page:x:000001", "{}");
      await store.put("github@b", "repo:1", "other");
      expect(await store.get("github@a", "repo:1")).toBe('{"n":2}');
      expect((await store.list("github@a", "repo:")).map((r) => r.key)).toEqual(["repo:1", "repo:2"]);
      // A prefix is literal: LIKE's wildcards in it match only themselves.
      expect(await store.list("github@a", "repo_")).toEqual([]);
      await store.delete("github@a", "repo:1");
      expect(await store.get("github@a", "repo:1")).toBeUndefined();
      expect(await store.get("github@b", "repo:1")).toBe("other");
    });

    it("a lease goes to one holder at a time, is renewed by its holder, and is taken over once it lapses", async () => {
      const store = new PrismaProviderStateStore(db.prisma);
      expect(await store.lease("github@a", "pass-lease", "replica-1", 60_000)).toBe(true);
      expect(await store.lease("github@a", "pass-lease", "replica-2", 60_000)).toBe(false);
      expect(await store.lease("github@a", "pass-lease", "replica-1", 60_000)).toBe(true);
      // A lease older than the time-to-live belongs to a process that died.
      expect(await store.lease("github@a", "pass-lease", "replica-2", -1)).toBe(true);
      await store.release("github@a", "pass-lease", "replica-1");
      expect(await store.get("github@a", "pass-lease")).toBe("replica-2");
      await store.release("github@a", "pass-lease", "replica-2");
      expect(await store.lease("github@a", "pass-lease", "replica-1", 60_000)).toBe(true);
    });
  });
}
