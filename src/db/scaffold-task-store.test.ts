import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ClaimRequest } from "../state/scaffold-task-store.ts";
import type { Database } from "./open-database.ts";
import { PrismaTaskStore } from "./scaffold-task-store.ts";
import { providersUnderTest, testTarget, type TestTarget } from "./test-database.ts";

const T0 = new Date("2030-01-01T00:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

function claimAt(seconds: number, workerId = "w1", timeout = 30): ClaimRequest {
  return {
    workerId,
    token: randomUUID(),
    now: at(seconds),
    staleBefore: at(seconds - timeout),
    maxAttempts: 3,
  };
}

function newTask(id: string, seconds = 0, createdBy = "user:default/jane") {
  return {
    id,
    templateRef: "template:default/svc",
    title: "Service",
    spec: '{"values":{}}',
    secrets: "sealed-secrets",
    createdBy,
    createdAt: at(seconds),
  };
}

for (const { provider, available } of await providersUnderTest()) {
  describe.skipIf(!available)(`scaffolder task store on ${provider}`, () => {
    let target: TestTarget;
    let db: Database;
    let store: PrismaTaskStore;
    beforeEach(async () => {
      target = testTarget(provider);
      db = await target.open();
      store = new PrismaTaskStore(db.prisma);
    });
    afterEach(async () => {
      await db.close();
      await target.drop();
    });

    it("claims the oldest open task once; finishing ends it and deletes its secrets", async () => {
      await store.create(newTask("b", 2));
      await store.create(newTask("a", 1));
      const first = await store.claim(claimAt(10));
      const second = await store.claim(claimAt(10));
      expect([first?.id, second?.id].sort()).toEqual(["a", "b"]);
      expect(await store.claim(claimAt(10))).toBeUndefined();
      expect(first).toMatchObject({
        status: "processing",
        claimedBy: "w1",
        attempts: 1,
        secrets: "sealed-secrets",
      });

      expect(
        await store.finish(first!.id, "not-the-token", {
          status: "completed",
          now: at(11),
          keepWorkspaces: false,
        }),
      ).toBe(false);
      expect(
        await store.finish(first!.id, first!.claimToken, {
          status: "completed",
          output: '{"links":[]}',
          now: at(11),
          keepWorkspaces: false,
        }),
      ).toBe(true);
      expect(await store.get(first!.id)).toMatchObject({
        status: "completed",
        secrets: null,
        output: '{"links":[]}',
        finishedAt: at(11),
        heartbeatAt: null,
      });
    });

    it("lets exactly one of two connections claim each task when they race", async () => {
      const other = await target.open();
      try {
        const stores = [store, new PrismaTaskStore(other.prisma)];
        for (let i = 0; i < 30; i++) await store.create(newTask(`t${String(i).padStart(2, "0")}`, i));
        const claimed: string[] = [];
        await Promise.all(
          Array.from({ length: 8 }, async (_, lane) => {
            for (;;) {
              const task = await stores[lane % 2]!.claim(claimAt(100, `w${lane}`));
              if (!task) return;
              claimed.push(task.id);
            }
          }),
        );
        expect(claimed).toHaveLength(30);
        expect(new Set(claimed).size).toBe(30);
      } finally {
        await other.close();
      }
    });

    it("takes over a task whose heartbeat stopped; the old claim can no longer write", async () => {
      await store.create(newTask("t"));
      const lost = (await store.claim(claimAt(0, "crashed")))!;
      expect(await store.heartbeat([{ id: "t", token: lost.claimToken }], at(10))).toEqual([
        { id: "t", cancelRequested: false },
      ]);
      expect(await store.claim(claimAt(39))).toBeUndefined();
      const taken = (await store.claim(claimAt(41, "rescuer")))!;
      expect(taken).toMatchObject({ id: "t", claimedBy: "rescuer", attempts: 2 });

      const step = { stepId: "s", status: "completed", output: "{}", sealedOutput: null, reason: null };
      expect(await store.saveStep("t", lost.claimToken, step, undefined, at(42))).toBe(false);
      expect(await store.heartbeat([{ id: "t", token: lost.claimToken }], at(42))).toEqual([]);
      expect(await store.checkpoint("t", lost.claimToken, "k")).toEqual({ held: false });
      expect(await store.saveCheckpoint("t", lost.claimToken, "k", "x")).toBe(false);
      expect(
        await store.finish("t", lost.claimToken, { status: "failed", now: at(42), keepWorkspaces: true }),
      ).toBe(false);
      expect(await store.saveStep("t", taken.claimToken, step, undefined, at(42))).toBe(true);
      expect((await store.steps("t")).map((s) => s.stepId)).toEqual(["s"]);
    });

    it("stops resuming a task abandoned too often: the janitor fails it with the reason", async () => {
      await store.create(newTask("t"));
      for (let i = 0; i < 3; i++) expect(await store.claim(claimAt(i * 100))).toBeDefined();
      expect(await store.claim(claimAt(400))).toBeUndefined();
      const failed = await store.failAbandoned({
        staleBefore: at(370),
        maxAttempts: 3,
        reason: "its worker stopped 3 times",
        now: at(400),
      });
      expect(failed).toEqual(["t"]);
      expect(await store.get("t")).toMatchObject({
        status: "failed",
        error: "its worker stopped 3 times",
        secrets: null,
      });
    });

    it("cancels an open task at once and flags a running one for its worker's next heartbeat", async () => {
      await store.create(newTask("open"));
      expect(await store.requestCancel("open", "cancelled by jane", at(1))).toBe("cancelled");
      expect(await store.get("open")).toMatchObject({
        status: "cancelled",
        error: "cancelled by jane",
        secrets: null,
      });
      expect(await store.claim(claimAt(2))).toBeUndefined();

      await store.create(newTask("running", 3));
      const claim = (await store.claim(claimAt(4)))!;
      expect(await store.requestCancel("running", "cancelled by jane", at(5))).toBe("requested");
      expect(await store.heartbeat([{ id: "running", token: claim.claimToken }], at(6))).toEqual([
        { id: "running", cancelRequested: true },
      ]);
      await store.finish("running", claim.claimToken, {
        status: "cancelled",
        now: at(7),
        keepWorkspaces: true,
      });
      expect(await store.requestCancel("running", "again", at(8))).toBe("ended");
      expect(await store.requestCancel("nope", "x", at(8))).toBeUndefined();
    });

    it("retries a failed task: queued again, and its claimer forgets the steps that did not complete", async () => {
      await store.create(newTask("t"));
      const first = (await store.claim(claimAt(0)))!;
      const save = (stepId: string, status: string, token: string) =>
        store.saveStep(
          "t",
          token,
          { stepId, status, output: null, sealedOutput: null, reason: null },
          undefined,
          at(1),
        );
      await save("a", "completed", first.claimToken);
      await save("b", "failed", first.claimToken);
      await save("c", "skipped", first.claimToken);
      expect(await store.retry("t", "new-secrets", at(2))).toBe(false);
      await store.finish("t", first.claimToken, {
        status: "failed",
        error: "b broke",
        now: at(2),
        keepWorkspaces: true,
      });

      expect(await store.retry("t", "new-secrets", at(3))).toBe(true);
      expect(await store.retry("t", "new-secrets", at(3))).toBe(false);
      const again = (await store.claim(claimAt(4)))!;
      expect(again).toMatchObject({
        attempts: 1,
        secrets: "new-secrets",
        error: null,
        retryRequestedAt: at(3),
      });
      expect(await store.forgetUnfinishedSteps("t", "wrong")).toBe(false);
      expect((await store.steps("t")).map((s) => s.stepId)).toEqual(["a", "b", "c"]);
      expect(await store.forgetUnfinishedSteps("t", again.claimToken)).toBe(true);
      expect((await store.steps("t")).map((s) => [s.stepId, s.status])).toEqual([["a", "completed"]]);
      expect((await store.get("t"))!.retryRequestedAt).toBeNull();
    });

    it("keeps one workspace a task, and deletes them with the sealed outputs when no retry can need them", async () => {
      await store.create(newTask("t"));
      const claim = (await store.claim(claimAt(0)))!;
      const step = (stepId: string) => ({
        stepId,
        status: "completed",
        output: "{}",
        sealedOutput: "sealed",
        reason: null,
      });
      await store.saveStep("t", claim.claimToken, step("a"), "ws-after-a", at(1));
      await store.saveStep("t", claim.claimToken, step("b"), "ws-after-b", at(2));
      expect(await store.workspace("t", "a")).toBeUndefined();
      expect(await store.workspace("t", "b")).toBe("ws-after-b");
      await store.finish("t", claim.claimToken, { status: "failed", now: at(3), keepWorkspaces: true });
      expect(await store.pruneRunState(at(3))).toBe(0);
      expect(await store.workspace("t", "b")).toBe("ws-after-b");
      expect(await store.pruneRunState(at(4))).toBe(2);
      expect(await store.workspace("t", "b")).toBeUndefined();
      expect((await store.steps("t")).map((s) => s.sealedOutput)).toEqual([null, null]);
    });

    it("keeps checkpoints and the event log in order", async () => {
      await store.create(newTask("t"));
      const claim = (await store.claim(claimAt(0)))!;
      expect(await store.checkpoint("t", claim.claimToken, "repo")).toEqual({ held: true });
      expect(await store.saveCheckpoint("t", claim.claimToken, "repo", "r1")).toBe(true);
      expect(await store.saveCheckpoint("t", claim.claimToken, "repo", "r2")).toBe(true);
      expect(await store.checkpoint("t", claim.claimToken, "repo")).toEqual({ held: true, record: "r2" });
      const line = (i: number) => ({
        at: at(i),
        stepId: i === 1 ? "s" : null,
        type: "log",
        level: "info",
        message: `line ${i}`,
        status: null,
      });
      await store.appendEvents("t", [line(0)]);
      await store.appendEvents("t", [line(1), line(2), line(3)]);
      await store.appendEvents("t", []);
      await store.appendEvents("t", [line(4)]);
      const all = await store.events("t");
      expect(all.map((e) => e.message)).toEqual(["line 0", "line 1", "line 2", "line 3", "line 4"]);
      expect((await store.events("t", { afterId: all[2]!.id })).map((e) => e.message)).toEqual([
        "line 3",
        "line 4",
      ]);
    });

    it("lists a person's tasks or everyone's, newest first", async () => {
      await store.create(newTask("mine-old", 1, "user:default/jane"));
      await store.create(newTask("theirs", 2, "user:default/joe"));
      await store.create(newTask("mine-new", 3, "user:default/jane"));
      expect((await store.list({ createdBy: "user:default/jane", limit: 10 })).map((t) => t.id)).toEqual([
        "mine-new",
        "mine-old",
      ]);
      expect((await store.list({ limit: 2 })).map((t) => t.id)).toEqual(["mine-new", "theirs"]);
      expect(await store.list({ statuses: ["failed"], limit: 10 })).toEqual([]);
    });
  });
}
