import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../db/open-database.ts";
import { providersUnderTest, testTarget, type TestTarget } from "../../db/test-database.ts";
import {
  effectTemplate,
  lines,
  taskRig,
  type TaskRig,
} from "../../../test/fixtures/scaffold/task-fixtures.ts";
import {
  spawnWorker,
  stopWorker,
  type WorkerProcess,
} from "../../../test/fixtures/scaffold/worker-processes.ts";

/** Fast heartbeats, so a crashed worker's task is taken over within seconds. */
const SETTINGS = {
  CALLBOARD_SCAFFOLD_HEARTBEAT_SECONDS: "0.25",
  CALLBOARD_SCAFFOLD_HEARTBEAT_TIMEOUT_SECONDS: "2",
  CALLBOARD_SCAFFOLD_CONCURRENCY: "4",
};

const jane = { id: "user:default/jane", userRef: "user:default/jane" };

async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  what: string,
  ms = 60_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`still waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

for (const { provider, available } of await providersUnderTest()) {
  describe.skipIf(!available)(`scaffolder tasks across Callboard processes on ${provider}`, () => {
    let target: TestTarget;
    let db: Database;
    let rig: TaskRig;
    let effects: string;
    const processes: WorkerProcess[] = [];
    beforeEach(async () => {
      target = testTarget(provider);
      db = await target.open();
      const dataDir = await mkdtemp(join(tmpdir(), "cb-task-proc-"));
      effects = join(dataDir, "effects");
      // This process only queues tasks and reads them; the child processes run them.
      rig = taskRig(db, { dataDir, key: "test task key" });
    });
    afterEach(async () => {
      await Promise.all(processes.splice(0).map((p) => stopWorker(p, true)));
      await db.close();
      await target.drop();
    });

    async function worker(): Promise<WorkerProcess> {
      const started = await spawnWorker(target.url, SETTINGS);
      processes.push(started);
      return started;
    }
    const status = async (id: string) => (await db.prisma.scaffoldTask.findUnique({ where: { id } }))!;

    if (provider === "postgresql") {
      it("drains tasks with two processes, every task claimed and run exactly once", async () => {
        const [a, b] = await Promise.all([worker(), worker()]);
        const { template } = await effectTemplate([{ id: "only", holdMs: 40 }]);
        const ids: string[] = [];
        for (let i = 0; i < 40; i++) {
          const queued = await rig.tasks.submit(template, { values: { effects }, actor: jane });
          ids.push((queued as { taskId: string }).taskId);
        }
        await eventually(
          async () =>
            (await db.prisma.scaffoldTask.count({ where: { status: "completed" } })) === ids.length ||
            (await db.prisma.scaffoldTask.count({ where: { status: { in: ["failed", "cancelled"] } } })) > 0,
          "every task to end",
        );
        const runners = new Set<string>();
        for (const id of ids) {
          expect((await status(id)).status).toBe("completed");
          const starts = await lines(effects, id, "starts");
          expect(starts, `task ${id}`).toHaveLength(1);
          expect((await status(id)).attempts).toBe(1);
          runners.add(starts[0]!.split(" ")[1]!);
        }
        // Both processes took part, so the claims really raced.
        expect([...runners].sort()).toEqual([String(a!.pid), String(b!.pid)].sort());
      });
    }

    it(
      provider === "postgresql"
        ? "resumes a task in the other process after kill -9 of its worker mid-step: completed steps are not run again, the effect runs once"
        : "resumes a task in a restarted process after kill -9 of its worker mid-step",
      async () => {
        const first = await worker();
        const second = provider === "postgresql" ? await worker() : undefined;
        const { template } = await effectTemplate([
          { id: "one" },
          { id: "two", holdMs: 600_000, holdFirstOnly: true },
          { id: "three" },
        ]);
        const { taskId } = (await rig.tasks.submit(template, { values: { effects }, actor: jane })) as {
          taskId: string;
        };
        // Past step two's effect and its stored checkpoint, holding inside the step. The effect's line is
        // written before the checkpoint is stored, so a kill between the two would rightly run the effect
        // again (a checkpoint promises at-least-once up to the moment it is kept); wait for both.
        const holder = await eventually(async () => {
          const made = await lines(effects, taskId, "effects");
          if (made.length !== 2) return undefined;
          const kept = await db.prisma.scaffoldTaskCheckpoint.findUnique({
            where: { taskId_key: { taskId, key: "v1.task.checkpoint.two.two" } },
          });
          return kept ? made[1]!.split(" ")[1] : undefined;
        }, "step two's effect and its checkpoint");
        const victim = [first, second].find((p) => p && String(p.pid) === holder)!;
        await stopWorker(victim, true);
        const rescuer = second ? [first, second].find((p) => p !== victim)! : await worker();

        const ended = await eventually(async () => {
          const task = await status(taskId);
          return task.status === "processing" || task.status === "open" ? undefined : task;
        }, "the task to finish elsewhere");
        expect(ended).toMatchObject({ status: "completed", attempts: 2 });
        const [v, r] = [String(victim.pid), String(rescuer.pid)];
        expect(await lines(effects, taskId, "starts")).toEqual([
          `one ${v}`,
          `two ${v}`,
          `two ${r}`,
          `three ${r}`,
        ]);
        expect(await lines(effects, taskId, "effects")).toEqual([`one ${v}`, `two ${v}`, `three ${r}`]);
        expect(JSON.parse(ended.output!).links[0].url).toBe(`three-made-by-${r}`);
        const steps = await db.prisma.scaffoldTaskStep.findMany({ where: { taskId } });
        expect(JSON.parse(steps.find((s) => s.stepId === "two")!.output!)).toEqual({
          value: `two-made-by-${v}`,
        });
      },
    );
  });
}
