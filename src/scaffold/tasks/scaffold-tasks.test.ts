import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../db/open-database.ts";
import { providersUnderTest, testTarget, type TestTarget } from "../../db/test-database.ts";
import { tcpProxy } from "../../../test/fixtures/db/tcp-proxy.ts";
import {
  effectTemplate,
  lines,
  taskRig,
  type TaskRig,
} from "../../../test/fixtures/scaffold/task-fixtures.ts";
import type { TaskSummary } from "./scaffold-tasks.ts";
import type { TaskWorker } from "./task-worker.ts";

const jane = { id: "user:default/jane", userRef: "user:default/jane" };
const joe = { id: "user:default/joe", userRef: "user:default/joe" };
const boss = { id: "user:default/boss", userRef: "user:default/boss" };

/** Polls until `check` gives a value; no wall-clock assertion, just a generous bound for a stuck test. */
async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  what: string,
  ms = 20_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`still waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function ended(rig: TaskRig, taskId: string): Promise<TaskSummary> {
  return eventually(async () => {
    const task = await rig.tasks.get(taskId, boss);
    return "refused" in task || task.status === "open" || task.status === "processing" ? undefined : task;
  }, `task ${taskId} to end`);
}

for (const { provider, available } of await providersUnderTest()) {
  describe.skipIf(!available)(`durable scaffolder tasks on ${provider}`, () => {
    let target: TestTarget;
    let db: Database;
    let dataDir: string;
    let effects: string;
    const workers: TaskWorker[] = [];
    const extraDbs: Database[] = [];
    beforeEach(async () => {
      target = testTarget(provider);
      db = await target.open();
      dataDir = await mkdtemp(join(tmpdir(), "cb-tasks-"));
      effects = join(dataDir, "effects");
    });
    afterEach(async () => {
      await Promise.all(workers.splice(0).map((w) => w.stop()));
      await Promise.all(extraDbs.splice(0).map((d) => d.close()));
      await db.close();
      await target.drop();
    });

    function rig(options: Partial<Parameters<typeof taskRig>[1]> = {}, on = db): TaskRig {
      return taskRig(on, { dataDir, admins: ["user:default/boss"], ...options });
    }
    function started(r: TaskRig): TaskWorker {
      const worker = r.tasks.worker();
      workers.push(worker);
      worker.start();
      return worker;
    }

    it("runs a queued task once, audits it with secrets masked, and keeps no secret anywhere", async () => {
      const r = rig();
      const { template } = await effectTemplate([{ id: "make", token: true }], { secret: true });
      const secret = "tok-SECRET-123";
      const queued = await r.tasks.submit(template, {
        values: { effects, name: "svc", token: secret },
        actor: jane,
      });
      expect(queued.status).toBe("queued");
      const taskId = (queued as { taskId: string }).taskId;
      started(r);
      const task = await ended(r, taskId);
      expect(task).toMatchObject({
        status: "completed",
        parameters: { effects, name: "svc", token: "******" },
      });
      expect(task.output?.links).toEqual([{ title: "Made", url: `make-made-by-${process.pid}` }]);
      expect(await lines(effects, taskId, "effects")).toEqual([`make ${process.pid}`]);

      // The outcome is audited after the fenced finish made the task completed (only the worker whose claim held
      // may say how it ended), so it lands a moment after the task shows completed: wait for it.
      const audit = await eventually(async () => {
        const entries = await r.audit.recent({ actor: jane.id });
        return entries.some((a) => a.action === "scaffold.completed") && entries;
      }, "the outcome's audit entry");
      expect(audit.map((a) => a.action).sort()).toEqual(["scaffold.completed", "scaffold.queued"]);
      expect(JSON.parse(audit.find((a) => a.action === "scaffold.completed")!.detail)).toEqual({
        task: taskId,
        template: "template:default/effects",
        parameters: { effects, name: "svc", token: "******" },
        dryRun: false,
        outcome: "completed",
      });
      const everything = JSON.stringify([
        await db.prisma.scaffoldTask.findMany(),
        await db.prisma.scaffoldTaskStep.findMany(),
        await db.prisma.scaffoldTaskEvent.findMany(),
        await db.prisma.scaffoldTaskCheckpoint.findMany(),
        await db.prisma.auditLog.findMany(),
      ]);
      expect(everything).not.toContain("SECRET");
      expect(everything).toContain("effect make: make-made-by-");
      const [step] = await db.prisma.scaffoldTaskStep.findMany();
      expect(JSON.parse(step!.output!)).toEqual({ value: `make-made-by-${process.pid}`, auth: "Bearer ***" });
      expect(step).toMatchObject({ sealedOutput: null, workspace: null });
    });

    it("cancels a task that has not started at once, and a running one through its step's abort signal", async () => {
      const r = rig();
      const { template } = await effectTemplate([{ id: "hold", holdMs: 120_000 }, { id: "after" }]);
      const waiting = (await r.tasks.submit(template, { values: { effects }, actor: jane })) as {
        taskId: string;
      };
      expect(await r.tasks.cancel(waiting.taskId, joe)).toEqual({
        ok: false,
        reason: `Task ${waiting.taskId} was started by user:default/jane; only they and Callboard's admins may cancel it.`,
      });
      expect(await r.tasks.cancel(waiting.taskId, jane)).toEqual({
        ok: true,
        message: `Task ${waiting.taskId} was cancelled before it started.`,
      });

      const running = (await r.tasks.submit(template, { values: { effects }, actor: jane })) as {
        taskId: string;
      };
      started(r);
      await eventually(
        async () => (await lines(effects, running.taskId, "starts")).length > 0,
        "the step to start",
      );
      // The cancel comes from another connection, as from another process: the worker sees the flag at its heartbeat.
      const other = await target.open();
      extraDbs.push(other);
      expect((await rig({}, other).tasks.cancel(running.taskId, jane)).ok).toBe(true);
      const task = await ended(r, running.taskId);
      expect(task).toMatchObject({ status: "cancelled", error: 'Cancelled while step "hold" ran.' });
      expect(await lines(effects, running.taskId, "starts")).toEqual([`hold ${process.pid}`]);
      expect((await r.tasks.cancel(running.taskId, jane)).ok).toBe(false);
    });

    it("retries a failed task from the failed step: completed steps keep their outputs, effects run once", async () => {
      const r = rig();
      const { template } = await effectTemplate(
        [{ id: "first" }, { id: "flaky", failOnce: true }, { id: "last", token: true }],
        { secret: true },
      );
      const { taskId } = (await r.tasks.submit(template, {
        values: { effects, token: "tok-1" },
        actor: jane,
      })) as { taskId: string };
      started(r);
      const failed = await ended(r, taskId);
      expect(failed).toMatchObject({ status: "failed", error: "step flaky fails the first time" });
      // Kept for the retry, sealed: the workspace the last completed step left, and the checkpoints.
      const kept = await db.prisma.scaffoldTaskStep.findMany({ where: { taskId, workspace: { not: null } } });
      expect(kept.map((step) => step.stepId)).toEqual(["first"]);
      expect(kept[0]!.workspace).toMatch(/^v1\./);
      const checkpoints = await db.prisma.scaffoldTaskCheckpoint.findMany({ where: { taskId } });
      expect(checkpoints.map((c) => c.key).sort()).toEqual([
        "v1.task.checkpoint.first.first",
        "v1.task.checkpoint.flaky.flaky",
      ]);
      for (const c of checkpoints) expect(c.record).toMatch(/^v1\.[^{]*$/);

      expect(await r.tasks.retry(taskId, jane)).toEqual({
        ok: false,
        reason: `Task ${taskId} needs its secrets again (they were deleted when it ended): token.`,
      });
      expect(await r.tasks.retry(taskId, jane, { token: "tok-2" })).toMatchObject({ ok: true });
      const done = await ended(r, taskId);
      expect(done.status).toBe("completed");
      const pid = process.pid;
      expect(await lines(effects, taskId, "starts")).toEqual([
        `first ${pid}`,
        `flaky ${pid}`,
        `flaky ${pid}`,
        `last ${pid}`,
      ]);
      expect(await lines(effects, taskId, "effects")).toEqual([
        `first ${pid}`,
        `flaky ${pid}`,
        `last ${pid}`,
      ]);
      const log = await r.tasks.log(taskId, jane);
      if ("refused" in log) throw new Error(log.refused);
      expect(log.entries.some((e) => e.message.includes("tok-2") || e.message.includes("tok-1"))).toBe(false);
      expect(log.entries.some((e) => /Resuming: first ended in an earlier run/.test(e.message))).toBe(true);
      expect(log.entries.filter((e) => e.status === "completed" && !e.stepId)).toHaveLength(1);
      const later = await r.tasks.log(taskId, jane, { afterId: log.entries[log.entries.length - 2]!.id });
      expect("entries" in later && later.entries).toEqual([log.entries[log.entries.length - 1]]);
      expect((await r.audit.recent({ actor: jane.id })).map((a) => a.action)).toContain("scaffold.retry");
    });

    it("lets only the named groups and admins run a template, and says why it refuses", async () => {
      const r = rig({
        groups: {
          "user:default/jane": ["group:default/team-a"],
          "user:default/joe": ["group:default/team-b"],
        },
      });
      const { template } = await effectTemplate([{ id: "x" }], {
        annotations: { "callboard.dev/run-groups": "team-a, group:default/ops" },
      });
      expect(r.tasks.mayRun(template, jane)).toEqual({ allowed: true });
      expect(r.tasks.mayRun(template, boss)).toEqual({ allowed: true });
      const refused = await r.tasks.submit(template, { values: { effects }, actor: joe });
      expect(refused).toEqual({
        status: "refused",
        reason:
          "Template template:default/effects may be run by members of group:default/team-a, group:default/ops only; " +
          "user:default/joe is in group:default/team-b. Ask one of those groups to run it, or to add you.",
      });
      expect(r.tasks.mayRun(template, { id: "slack:U1" })).toMatchObject({
        allowed: false,
        reason: expect.stringContaining("does not know which catalog User you are"),
      });
      expect((await r.audit.recent({ action: "scaffold.refused" }))[0]!.actor).toBe("user:default/joe");

      const mine = (await r.tasks.submit(template, { values: { effects }, actor: jane })) as {
        taskId: string;
      };
      expect(await r.tasks.list(joe, { scope: "all" })).toEqual({
        refused:
          "Only Callboard's admins (CALLBOARD_ADMINS) can list everyone's tasks; `scaffold tasks` lists yours.",
      });
      expect(await r.tasks.list(joe)).toEqual([]);
      expect(((await r.tasks.list(boss, { scope: "all" })) as TaskSummary[]).map((t) => t.id)).toEqual([
        mine.taskId,
      ]);
      expect(await r.tasks.log(mine.taskId, joe)).toMatchObject({
        refused: expect.stringContaining("only they"),
      });
      expect(await r.tasks.get(mine.taskId.slice(0, 8).toUpperCase(), jane)).toMatchObject({
        id: mine.taskId,
      });
      expect(await r.tasks.get(mine.taskId.slice(0, 7), jane)).toEqual({
        refused: `There is no task ${mine.taskId.slice(0, 7)}. \`scaffold tasks\` lists yours.`,
      });
    });

    it("hands a running task back when its worker stops, and another worker carries on with it", async () => {
      const r = rig();
      const { template } = await effectTemplate([
        { id: "first" },
        { id: "hold", holdMs: 120_000, holdFirstOnly: true },
      ]);
      const { taskId } = (await r.tasks.submit(template, { values: { effects }, actor: jane })) as {
        taskId: string;
      };
      const first = started(r);
      await eventually(async () => (await lines(effects, taskId, "effects")).length === 2, "the held step");
      await first.stop();
      expect(await r.store.get(taskId)).toMatchObject({ status: "open", attempts: 0, claimedBy: null });
      started(rig());
      expect((await ended(r, taskId)).status).toBe("completed");
      expect(await lines(effects, taskId, "starts")).toEqual([
        `first ${process.pid}`,
        `hold ${process.pid}`,
        `hold ${process.pid}`,
      ]);
      expect(await lines(effects, taskId, "effects")).toHaveLength(2);
    });

    it("fails a task abandoned too often instead of resuming it for ever, with the reason, and audits it", async () => {
      const r = rig();
      const { template } = await effectTemplate([{ id: "x" }]);
      const { taskId } = (await r.tasks.submit(template, { values: { effects }, actor: jane })) as {
        taskId: string;
      };
      const long = Date.now() - 60_000;
      for (let i = 0; i < 3; i++) {
        const at = long + i * 10_000;
        const claim = await r.store.claim({
          workerId: `crashed-${i}`,
          token: `t${i}`,
          now: new Date(at),
          staleBefore: new Date(at - 2000),
          maxAttempts: 3,
        });
        expect(claim?.id).toBe(taskId);
      }
      await r.tasks.housekeeping();
      const task = await ended(r, taskId);
      expect(task.status).toBe("failed");
      expect(task.error).toMatch(/^Its worker stopped 3 times while running it/);
      const [outcome] = await r.audit.recent({ action: "scaffold.failed" });
      expect(outcome).toMatchObject({ actor: jane.id });
    });

    it("refuses values that fail the template's parameters, naming the field, and queues nothing", async () => {
      const r = rig();
      const { template } = await effectTemplate([{ id: "x" }]);
      const result = await r.tasks.submit(template, { values: { effects: 42 }, actor: jane });
      expect(result.status).toBe("invalid");
      expect(await r.tasks.list(jane)).toEqual([]);
    });

    if (provider === "sqlite") {
      it("drains tasks with two workers on two connections in one process, each task run once", async () => {
        const other = await target.open();
        extraDbs.push(other);
        const rigs = [rig({ concurrency: 3 }), rig({ concurrency: 3 }, other)];
        const { template } = await effectTemplate([{ id: "one" }]);
        const ids: string[] = [];
        for (let i = 0; i < 24; i++) {
          ids.push(
            (
              (await rigs[0]!.tasks.submit(template, { values: { effects }, actor: jane })) as {
                taskId: string;
              }
            ).taskId,
          );
        }
        rigs.forEach(started);
        for (const id of ids) expect((await ended(rigs[0]!, id)).status).toBe("completed");
        for (const id of ids) expect(await lines(effects, id, "starts")).toHaveLength(1);
      });
    }

    if (provider === "postgresql") {
      it("keeps claiming after the database connection breaks under the claim loop", async () => {
        const url = new URL(target.url);
        const proxy = await tcpProxy(url.hostname, Number(url.port || 5432));
        try {
          url.host = `127.0.0.1:${proxy.port}`;
          const proxied = await openDatabase({ url: url.toString() });
          extraDbs.push(proxied);
          const worker = started(rig({}, proxied));
          const r = rig();
          const { template } = await effectTemplate([{ id: "one" }]);
          const before = (await r.tasks.submit(template, { values: { effects }, actor: jane })) as {
            taskId: string;
          };
          expect((await ended(r, before.taskId)).status).toBe("completed");

          proxy.cut();
          await eventually(async () => worker.claimFailures >= 2, "the worker to notice the outage");
          const during = (await r.tasks.submit(template, { values: { effects }, actor: jane })) as {
            taskId: string;
          };
          await new Promise((resolve) => setTimeout(resolve, 300));
          expect((await r.tasks.get(during.taskId, jane)) as TaskSummary).toMatchObject({ status: "open" });

          proxy.restore();
          expect((await ended(r, during.taskId)).status).toBe("completed");
          expect(worker.claimFailures).toBe(0);
        } finally {
          await proxy.close();
        }
      });
    }
  });
}
