import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuditLog } from "./audit-log.ts";
import { PrismaConversationStore } from "./conversation-store.ts";
import { CLAIM_LEASE_MS, EVENT_RETENTION_MS, PrismaEventLedger } from "./event-ledger.ts";
import { PrismaContinuationStore } from "./continuation-store.ts";
import { PrismaFormSessionStore } from "./form-session-store.ts";
import type { Database } from "./open-database.ts";
import { providersUnderTest, testTarget, type TestTarget } from "./test-database.ts";

for (const { provider, available } of await providersUnderTest()) {
  describe.skipIf(!available)(`database-backed bot state on ${provider}`, () => {
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

    it("event ledger: the first claim wins; retries are ignored while it runs and after it is done", async () => {
      const ledger = new PrismaEventLedger(db.prisma);
      const first = await ledger.claim("slack", "Ev1");
      expect(first).toBeDefined();
      expect(await ledger.claim("slack", "Ev1")).toBeUndefined();
      expect(await ledger.claim("teams", "Ev1")).toBeDefined();
      await first!.done();
      expect(await ledger.claim("slack", "Ev1")).toBeUndefined();
    });

    it("event ledger: a released claim (the answer failed) lets the retry claim the event again", async () => {
      const ledger = new PrismaEventLedger(db.prisma);
      const first = await ledger.claim("teams", "Ev-fail");
      await first!.release();
      const retry = await ledger.claim("teams", "Ev-fail");
      expect(retry).toBeDefined();
      // The first attempt releasing again, late, must not drop the retry's claim.
      await first!.release();
      expect(await ledger.claim("teams", "Ev-fail")).toBeUndefined();
      await retry!.done();
      await retry!.release();
      expect(await ledger.claim("teams", "Ev-fail")).toBeUndefined();
    });

    it("event ledger: a claim left processing past its lease (a crashed process) is taken over once", async () => {
      let now = new Date("2030-01-01T00:00:00Z");
      const ledger = new PrismaEventLedger(db.prisma, () => now);
      const crashed = await ledger.claim("slack", "Ev-crash");
      now = new Date(now.getTime() + CLAIM_LEASE_MS - 1000);
      expect(await ledger.claim("slack", "Ev-crash")).toBeUndefined();
      now = new Date(now.getTime() + 2000);
      const other = await target.open();
      try {
        const replicas = [ledger, new PrismaEventLedger(other.prisma, () => now)];
        const claims = await Promise.all(
          Array.from({ length: 10 }, (_, i) => replicas[i % 2]!.claim("slack", "Ev-crash")),
        );
        expect(claims.filter(Boolean)).toHaveLength(1);
      } finally {
        await other.close();
      }
      // The crashed attempt's handle is stale: finishing it does not mark the new attempt's event done.
      await crashed!.release();
      expect(await ledger.claim("slack", "Ev-crash")).toBeUndefined();
    });

    it("event ledger: exactly one of many concurrent claims, across replicas, wins", async () => {
      // A second connection stands in for another replica.
      const other = await target.open();
      try {
        const replicas = [new PrismaEventLedger(db.prisma), new PrismaEventLedger(other.prisma)];
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => replicas[i % 2]!.claim("slack", "Ev-concurrent")),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      } finally {
        await other.close();
      }
    });

    it("event ledger: prunes ids older than 24 hours", async () => {
      let now = new Date("2030-01-01T00:00:00Z");
      const ledger = new PrismaEventLedger(db.prisma, () => now);
      await (await ledger.claim("slack", "old"))!.done();
      now = new Date(now.getTime() + EVENT_RETENTION_MS / 2);
      await (await ledger.claim("slack", "recent"))!.done();
      now = new Date(now.getTime() + EVENT_RETENTION_MS / 2 + 1000);
      expect(await ledger.prune()).toBe(1);
      expect(await ledger.claim("slack", "recent")).toBeUndefined();
      expect(await ledger.claim("slack", "old")).toBeDefined();
    });

    it("form sessions: a change is a compare-and-swap on the version, across replicas", async () => {
      const store = new PrismaFormSessionStore(db.prisma);
      const expires = new Date(Date.now() + 60_000);
      const id = await store.create('{"page":0}', expires);
      const first = await store.get(id);
      expect(first).toMatchObject({ state: '{"page":0}', version: 1 });
      const other = await target.open();
      try {
        const replicas = [store, new PrismaFormSessionStore(other.prisma)];
        const wins = await Promise.all(
          Array.from({ length: 10 }, (_, i) => replicas[i % 2]!.replace(id, 1, `{"page":${i}}`)),
        );
        expect(wins.filter(Boolean)).toHaveLength(1);
      } finally {
        await other.close();
      }
      expect((await store.get(id))?.version).toBe(2);
      expect(await store.replace(id, 1, "{}")).toBe(false);
      expect(await store.get("no-such-id")).toBeUndefined();
    });

    it("form sessions and continuations: expired ones are gone and pruned", async () => {
      let now = new Date("2030-01-01T00:00:00Z");
      const sessions = new PrismaFormSessionStore(db.prisma, () => now);
      const continuations = new PrismaContinuationStore(db.prisma, () => now);
      const later = new Date(now.getTime() + 1000);
      const session = await sessions.create("{}", later);
      const rest = await continuations.put('{"blocks":[]}', later);
      expect(await continuations.get(rest)).toBe('{"blocks":[]}');
      now = new Date(later.getTime() + 1);
      expect(await sessions.get(session)).toBeUndefined();
      expect(await continuations.get(rest)).toBeUndefined();
      expect(await sessions.prune()).toBe(1);
      expect(await continuations.prune()).toBe(1);
    });

    it("conversation store: saves, replaces and reads JSON references", async () => {
      const store = new PrismaConversationStore(db.prisma);
      expect(await store.get("c1")).toBeUndefined();
      await store.save("c1", { conversation: { id: "a" }, serviceUrl: "https://x" });
      await store.save("c1", { conversation: { id: "b" } });
      expect(await store.get("c1")).toEqual({ conversation: { id: "b" } });
      await expect(store.save("c2", undefined)).rejects.toThrow(/c2 is not JSON-serialisable/);
    });

    it("audit log: appends and lists newest first, filtered", async () => {
      const log = new AuditLog(db.prisma);
      await log.append({
        actor: "user:default/jane",
        action: "scaffold.run",
        detail: "svc-a",
        at: new Date("2030-01-01T00:00:00Z"),
      });
      await log.append({
        actor: "user:default/bob",
        action: "catalog.register",
        at: new Date("2030-01-02T00:00:00Z"),
      });
      await log.append({
        actor: "user:default/jane",
        action: "catalog.register",
        at: new Date("2030-01-03T00:00:00Z"),
      });
      expect((await log.recent()).map((e) => e.at.toISOString().slice(0, 10))).toEqual([
        "2030-01-03",
        "2030-01-02",
        "2030-01-01",
      ]);
      expect((await log.recent({ actor: "user:default/jane", limit: 1 })).map((e) => e.action)).toEqual([
        "catalog.register",
      ]);
      expect(await log.recent({ action: "scaffold.run" })).toMatchObject([{ detail: "svc-a" }]);
    });
  });
}
