import { afterEach, describe, expect, it } from "vitest";
import type { ClaimedTask, TaskStore } from "../../state/scaffold-task-store.ts";
import { silentLog } from "../../../test/fixtures/scaffold/task-fixtures.ts";
import { TaskWorker, type RunControl } from "./task-worker.ts";

function claimed(id: string): ClaimedTask {
  const now = new Date();
  return {
    id,
    status: "processing",
    templateRef: "template:default/t",
    title: "T",
    spec: "{}",
    secrets: null,
    createdBy: "me",
    createdAt: now,
    updatedAt: now,
    claimedBy: "w",
    heartbeatAt: now,
    attempts: 1,
    cancelRequestedAt: null,
    retryRequestedAt: null,
    finishedAt: null,
    error: null,
    output: null,
    progressRef: null,
    claimToken: `token-${id}`,
  };
}

/** A store stand-in: hands out the given tasks, answers heartbeats as told. */
function fakeStore(tasks: ClaimedTask[]) {
  const queue = [...tasks];
  const fake = {
    claims: 0,
    claimError: undefined as Error | undefined,
    heartbeatError: undefined as Error | undefined,
    held: new Set(tasks.map((t) => t.id)),
    cancelled: new Set<string>(),
    released: [] as string[],
    async claim() {
      fake.claims += 1;
      if (fake.claimError) throw fake.claimError;
      return queue.shift();
    },
    async heartbeat(claims: Array<{ id: string }>) {
      if (fake.heartbeatError) throw fake.heartbeatError;
      return claims
        .filter((c) => fake.held.has(c.id))
        .map((c) => ({ id: c.id, cancelRequested: fake.cancelled.has(c.id) }));
    },
    async release(id: string) {
      fake.released.push(id);
      return true;
    },
  };
  return fake as typeof fake & Pick<TaskStore, "claim" | "heartbeat" | "release">;
}

/** An execute that waits until its task is cancelled or interrupted, and records which. */
function holding() {
  const outcomes = new Map<string, string>();
  return {
    outcomes,
    execute: (task: ClaimedTask, control: RunControl) =>
      new Promise<void>((resolve, reject) => {
        control.signal.addEventListener("abort", () => {
          outcomes.set(task.id, "cancelled");
          resolve();
        });
        control.interrupt.addEventListener("abort", () => {
          outcomes.set(task.id, `interrupted: ${(control.interrupt.reason as Error).message}`);
          reject(control.interrupt.reason);
        });
      }),
  };
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`still waiting for ${what}`);
}

let worker: TaskWorker | undefined;
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});

function start(store: ReturnType<typeof fakeStore>, execute: ReturnType<typeof holding>["execute"]) {
  worker = new TaskWorker({
    store,
    execute,
    concurrency: 2,
    heartbeatIntervalMs: 30,
    heartbeatTimeoutMs: 150,
    pollIntervalMs: 10,
    log: silentLog,
  });
  worker.start();
  return worker;
}

describe("task worker", () => {
  it("keeps claiming while claims fail, and claims again once the database answers", async () => {
    const store = fakeStore([claimed("a")]);
    store.claimError = new Error("Connection terminated unexpectedly");
    const run = holding();
    const w = start(store, run.execute);
    await eventually(() => w.claimFailures >= 3, "three failed claims");
    store.claimError = undefined;
    await eventually(() => w.active === 1, "the task to run");
    expect(w.claimFailures).toBe(0);
  });

  it("carries a cancel request to the running task at its heartbeat", async () => {
    const store = fakeStore([claimed("a")]);
    const run = holding();
    start(store, run.execute);
    await eventually(() => store.claims > 0 && worker!.active === 1, "the task to run");
    store.cancelled.add("a");
    await eventually(() => run.outcomes.has("a"), "the cancel");
    expect(run.outcomes.get("a")).toBe("cancelled");
  });

  it("interrupts a task whose claim another worker took", async () => {
    const store = fakeStore([claimed("a")]);
    const run = holding();
    start(store, run.execute);
    await eventually(() => worker!.active === 1, "the task to run");
    store.held.delete("a");
    await eventually(() => run.outcomes.has("a"), "the interruption");
    expect(run.outcomes.get("a")).toBe("interrupted: Another worker took the task over.");
    expect(store.released).toEqual([]);
  });

  it("interrupts a task it could not mark alive for nearly the timeout, before another worker may take it", async () => {
    const store = fakeStore([claimed("a")]);
    const run = holding();
    start(store, run.execute);
    await eventually(() => worker!.active === 1, "the task to run");
    store.heartbeatError = new Error("Connection terminated unexpectedly");
    await eventually(() => run.outcomes.has("a"), "the interruption");
    expect(run.outcomes.get("a")).toBe("interrupted: Its heartbeat could not be recorded in time.");
  });

  it("hands running tasks back when it stops", async () => {
    const store = fakeStore([claimed("a"), claimed("b")]);
    const run = holding();
    start(store, run.execute);
    await eventually(() => worker!.active === 2, "both tasks to run");
    await worker!.stop();
    worker = undefined;
    expect(store.released.sort()).toEqual(["a", "b"]);
    expect([...run.outcomes.values()]).toEqual([
      "interrupted: Callboard is stopping.",
      "interrupted: Callboard is stopping.",
    ]);
  });
});
