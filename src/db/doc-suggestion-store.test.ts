import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PrismaDocSuggestionStore } from "./doc-suggestion-store.ts";
import type { Database } from "./open-database.ts";
import { providersUnderTest, testTarget, type TestTarget } from "./test-database.ts";

for (const { provider, available } of await providersUnderTest()) {
  describe.skipIf(!available)(`doc suggestion state on ${provider}`, () => {
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

    it("keeps each channel's setting, off until someone sets it, and who changed it last", async () => {
      const store = new PrismaDocSuggestionStore(db.prisma, () => new Date("2026-12-06T09:00:00Z"));
      expect(await store.setting("slack", "C0PLATFORM")).toBeUndefined();
      await store.set("slack", "C0PLATFORM", true, "U0ALICE01");
      await store.set("slack", "C0PLATFORM", false, "U0BOB0001");
      await store.set("teams", "C0PLATFORM", true, "29:carol");
      expect(await store.setting("slack", "C0PLATFORM")).toEqual({
        enabled: false,
        changedBy: "U0BOB0001",
        changedAt: new Date("2026-12-06T09:00:00Z"),
      });
      expect((await store.setting("teams", "C0PLATFORM"))?.enabled).toBe(true);
    });

    it("lets exactly one of many concurrent claims on a thread win, across replicas, and never again", async () => {
      const other = await target.open();
      try {
        const replicas = [
          new PrismaDocSuggestionStore(db.prisma),
          new PrismaDocSuggestionStore(other.prisma),
        ];
        const claims = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            replicas[i % 2]!.claimThread("slack", "C1", "1700000001.000100"),
          ),
        );
        expect(claims.filter(Boolean)).toHaveLength(1);
        expect(await replicas[0]!.claimThread("slack", "C1", "1700000001.000100")).toBe(false);
        expect(await replicas[1]!.claimThread("slack", "C1", "1700000002.000100")).toBe(true);
      } finally {
        await other.close();
      }
    });
  });
}
