/**
 * bench:scaffold's durable-task figures, on PostgreSQL with two real Callboard processes
 * (test/fixtures/scaffold/callboard-worker.ts: the app with its task worker):
 *
 * - drain: `count` tasks queued at once (one multi-row insert, after both processes are up) and drained by
 *   the two; throughput from the insert to the last task's end, and double claims (a task whose run started
 *   more than once: its "Starting up task" line logged twice);
 * - resume after kill: a task holding inside its second step (past that step's checkpointed effect) when its
 *   worker gets SIGKILL; the time from the kill until the other process has claimed it, and until it ended.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { loadavg } from "node:os";
import pg from "pg";
import type { Database } from "../src/db/open-database.ts";
import { testTarget, type TestTarget } from "../src/db/test-database.ts";
import { taskSpecOf } from "../src/scaffold/tasks/task-spec.ts";
import { loadTemplateFile } from "../src/scaffold/template/load-template.ts";
import { effectTemplate, lines, taskRig } from "../test/fixtures/scaffold/task-fixtures.ts";
import { writeFixture } from "../test/fixtures/scaffold/harness.ts";
import { spawnWorker, stopWorker, type WorkerProcess } from "../test/fixtures/scaffold/worker-processes.ts";

/** The settings the two processes run with (the timeout the resume target is measured against). */
export const BENCH_TASK_SETTINGS = {
  CALLBOARD_SCAFFOLD_HEARTBEAT_SECONDS: "1",
  CALLBOARD_SCAFFOLD_HEARTBEAT_TIMEOUT_SECONDS: "5",
  CALLBOARD_SCAFFOLD_CONCURRENCY: "4",
};

const jane = { id: "user:default/jane", userRef: "user:default/jane" };

/** A small real template: fetch:template of a three-file skeleton, then debug:log. */
async function drainTemplate() {
  const root = await writeFixture({
    "template.yaml": `apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: bench-service
spec:
  type: service
  parameters:
    - properties:
        name: { type: string }
  steps:
    - id: fetch
      action: fetch:template
      input: { url: ./skeleton, values: { name: "\${{ parameters.name }}" } }
    - id: log
      action: debug:log
      input: { message: "made \${{ parameters.name }}" }
`,
    "skeleton/README.md": "# ${{ values.name }}\n",
    "skeleton/catalog-info.yaml": "metadata:\n  name: ${{ values.name }}\n",
    "skeleton/src/index.ts": 'export const name = "${{ values.name }}";\n',
  });
  return loadTemplateFile(join(root, "template.yaml"));
}

async function withSchema<T>(work: (target: TestTarget, db: Database) => Promise<T>): Promise<T> {
  const target = testTarget("postgresql");
  const db = await target.open();
  try {
    return await work(target, db);
  } finally {
    await db.close();
    await target.drop();
  }
}

async function twoWorkers(url: string): Promise<WorkerProcess[]> {
  return Promise.all([spawnWorker(url, BENCH_TASK_SETTINGS), spawnWorker(url, BENCH_TASK_SETTINGS)]);
}

export interface DrainResult {
  tasks: number;
  seconds: number;
  tasksPerSecond: number;
  doubleClaims: number;
  notCompleted: number;
  /** Tasks each process ran. */
  perProcess: number[];
  loadAverage: number;
}

export async function measureDrain(count: number): Promise<DrainResult> {
  return withSchema(async (target, db) => {
    const template = await drainTemplate();
    const workers = await twoWorkers(target.url);
    try {
      const loadAverage = loadavg()[0]!;
      // One statement for all the tasks, so the queue fills at once and only the drain is timed.
      const spec = JSON.stringify(taskSpecOf(template, { name: "svc" }, { userRef: jane.userRef }).spec);
      const client = new pg.Client({ connectionString: new URL(target.url).toString().split("?")[0] });
      await client.connect();
      const schema = new URL(target.url).searchParams.get("schema")!;
      const started = Date.now();
      try {
        const values: unknown[] = [];
        const rows: string[] = [];
        for (let i = 0; i < count; i++) {
          const at = new Date(started + i);
          const p = values.length;
          rows.push(
            `($${p + 1}, 'open', $${p + 2}, $${p + 3}, $${p + 4}, NULL, $${p + 5}, $${p + 6}, $${p + 6}, 0)`,
          );
          values.push(randomUUID(), template.ref, "Bench service", spec, jane.id, at);
        }
        await client.query(
          `INSERT INTO "${schema}"."ScaffoldTask" ("id", "status", "templateRef", "title", "spec", "secrets", ` +
            `"createdBy", "createdAt", "updatedAt", "attempts") VALUES ${rows.join(", ")}`,
          values,
        );
      } finally {
        await client.end();
      }
      for (;;) {
        const open = await db.prisma.scaffoldTask.count({
          where: { status: { in: ["open", "processing"] } },
        });
        if (open === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const last = await db.prisma.scaffoldTask.aggregate({ _max: { finishedAt: true } });
      const seconds = (last._max.finishedAt!.getTime() - started) / 1000;
      const runs = await db.prisma.scaffoldTaskEvent.groupBy({
        by: ["taskId"],
        where: { message: { startsWith: "Starting up task" } },
        _count: { _all: true },
      });
      const byWorker = await db.prisma.scaffoldTask.groupBy({ by: ["claimedBy"], _count: { _all: true } });
      return {
        tasks: count,
        seconds,
        tasksPerSecond: count / seconds,
        doubleClaims: runs.filter((r) => r._count._all > 1).length,
        notCompleted: await db.prisma.scaffoldTask.count({ where: { status: { not: "completed" } } }),
        perProcess: byWorker.map((w) => w._count._all).sort((a, b) => b - a),
        loadAverage,
      };
    } finally {
      await Promise.all(workers.map((w) => stopWorker(w)));
    }
  });
}

export interface ResumeResult {
  /** From SIGKILL until the other process held the task. */
  resumeSeconds: number;
  /** From SIGKILL until the task completed. */
  endSeconds: number;
  /** Effects the task ran (3 steps, each once: 3). */
  effects: number;
  completed: boolean;
}

export async function measureResumeAfterKill(): Promise<ResumeResult> {
  return withSchema(async (target, db) => {
    const dataDir = await writeFixture({});
    const effects = join(dataDir, "effects");
    const rig = taskRig(db, { dataDir, key: "test task key" });
    const workers = await twoWorkers(target.url);
    try {
      const { template } = await effectTemplate([
        { id: "one" },
        { id: "two", holdMs: 600_000, holdFirstOnly: true },
        { id: "three" },
      ]);
      const queued = await rig.tasks.submit(template, { values: { effects }, actor: jane });
      if (queued.status !== "queued")
        throw new Error(`the bench task was not queued: ${JSON.stringify(queued)}`);
      let holder: string | undefined;
      while (!holder) {
        const made = await lines(effects, queued.taskId, "effects");
        holder = made.length === 2 ? made[1]!.split(" ")[1] : undefined;
        if (!holder) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const victim = workers.find((w) => String(w.pid) === holder)!;
      const victimClaim = (await db.prisma.scaffoldTask.findUnique({ where: { id: queued.taskId } }))!
        .claimedBy;
      const killed = performance.now();
      victim.child.kill("SIGKILL");
      let resumeSeconds: number | undefined;
      for (;;) {
        const task = (await db.prisma.scaffoldTask.findUnique({ where: { id: queued.taskId } }))!;
        if (resumeSeconds === undefined && task.claimedBy !== victimClaim) {
          resumeSeconds = (performance.now() - killed) / 1000;
        }
        if (task.status !== "processing" && task.status !== "open") {
          return {
            resumeSeconds: resumeSeconds ?? Number.NaN,
            endSeconds: (performance.now() - killed) / 1000,
            effects: (await lines(effects, queued.taskId, "effects")).length,
            completed: task.status === "completed",
          };
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await Promise.all(workers.map((w) => stopWorker(w, true)));
    }
  });
}
