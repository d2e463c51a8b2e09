import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../db/open-database.ts";
import { providersUnderTest, testTarget, type TestTarget } from "../../db/test-database.ts";
import type { Reply } from "../../message/reply.ts";
import type { Address, MessageRef, Outbox } from "../../plugins/api.ts";
import {
  effectTemplate,
  lines,
  silentLog,
  taskRig,
  type TaskRig,
} from "../../../test/fixtures/scaffold/task-fixtures.ts";
import type { TaskWorker } from "../tasks/task-worker.ts";
import { ProgressReporter } from "./progress-reporter.ts";
import { renderTaskProgress } from "./task-progress.ts";

const jane = { id: "user:default/jane", userRef: "user:default/jane" };
const CHANNEL: Address = { adapter: "test", channel: "C1" };

/** An outbox that keeps each message as its last update left it, and counts posts and updates. */
class RecordingOutbox implements Outbox {
  readonly messages = new Map<string, Reply[]>();
  posts = 0;
  updates = 0;
  /** How long each call takes, to let changes pile up behind one. */
  constructor(private readonly delayMs = 0) {}
  async post(address: Address, reply: Reply): Promise<MessageRef> {
    await this.pause();
    this.posts += 1;
    const id = `m${this.posts}`;
    this.messages.set(id, [reply]);
    return { address, id };
  }
  async update(ref: MessageRef, reply: Reply): Promise<MessageRef> {
    await this.pause();
    const history = this.messages.get(ref.id);
    if (!history) throw new Error(`no message ${ref.id}`);
    this.updates += 1;
    history.push(reply);
    return ref;
  }
  last(id = "m1"): Reply {
    return this.messages.get(id)!.at(-1)!;
  }
  private pause() {
    return this.delayMs ? new Promise((resolve) => setTimeout(resolve, this.delayMs)) : Promise.resolve();
  }
}

function reporter(rig: TaskRig, outbox: Outbox): ProgressReporter {
  const progress = new ProgressReporter({
    tasks: rig.tasks,
    outbox,
    render: (state) => renderTaskProgress(state, { now: new Date() }),
    log: silentLog,
  });
  rig.tasks.observe(progress);
  return progress;
}

/** Polls until `check` holds; no wall-clock assertion, a generous bound for a stuck test. */
async function eventually(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const until = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`still waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

for (const { provider, available } of await providersUnderTest()) {
  describe.skipIf(!available)(`a task's progress as one message on ${provider}`, () => {
    let target: TestTarget;
    let db: Database;
    let dataDir: string;
    let effects: string;
    const workers: TaskWorker[] = [];

    beforeEach(async () => {
      target = testTarget(provider);
      db = await target.open();
      dataDir = await mkdtemp(join(tmpdir(), "cb-progress-"));
      effects = join(dataDir, "effects");
    });
    afterEach(async () => {
      await Promise.all(workers.splice(0).map((w) => w.stop()));
      await db.close();
      await target.drop();
    });

    function started(rig: TaskRig): TaskWorker {
      const worker = rig.tasks.worker();
      workers.push(worker);
      worker.start();
      return worker;
    }

    it("names the failed step and its reason with a Retry button; Retry carries on in the same message", async () => {
      const rig = taskRig(db, { dataDir });
      const outbox = new RecordingOutbox();
      const progress = reporter(rig, outbox);
      const { template } = await effectTemplate([
        { id: "one" },
        { id: "two", failOnce: true },
        { id: "three" },
      ]);
      const queued = await rig.tasks.submit(template, { values: { effects, name: "svc" }, actor: jane });
      if (queued.status !== "queued") throw new Error(queued.status);
      const ref = await progress.start(queued.taskId, CHANNEL);
      expect(ref).toEqual({ address: CHANNEL, id: "m1" });
      expect(outbox.messages.get("m1")![0]!.text).toMatch(/^Effects: queued\.|^Effects: running/);
      started(rig);

      await eventually(async () => {
        await progress.idle();
        return /failed/.test(outbox.last().text);
      }, "the failure to show");
      const failed = outbox.last();
      expect(failed.text).toBe('Effects failed at step "two": step two fails the first time');
      const shown = JSON.stringify(failed.blocks);
      expect(shown).toContain("✅ **one**");
      expect(shown).toContain("❌ **two** · failed after");
      expect(shown).toContain("⏭️ **three** · skipped: an earlier step failed");
      expect(failed.blocks).toContainEqual({
        type: "actions",
        actions: [
          { label: "Retry", command: `scaffold retry ${queued.taskId}`, style: "primary" },
          { label: "Log", command: `scaffold log ${queued.taskId}` },
        ],
      });

      const retried = await rig.tasks.retry(queued.taskId, jane);
      expect(retried.ok).toBe(true);
      await eventually(async () => {
        await progress.idle();
        return /completed/.test(outbox.last().text);
      }, "the retry to complete");
      expect(outbox.posts).toBe(1);
      expect(outbox.last().text).toMatch(/^Effects: completed in /);
      expect(JSON.stringify(outbox.last().blocks)).not.toContain("Retry");
      // The completed step kept its output: its effect ran once.
      expect(await lines(effects, queued.taskId, "effects")).toHaveLength(3);
    });

    it("is updated by whichever process runs the task, from the ref stored with it", async () => {
      const asking = taskRig(db, { dataDir });
      const running = taskRig(db, { dataDir });
      const outbox = new RecordingOutbox();
      const poster = reporter(asking, outbox);
      const runner = reporter(running, outbox);
      const { template } = await effectTemplate([{ id: "one" }, { id: "two" }]);
      const queued = await asking.tasks.submit(template, { values: { effects, name: "svc" }, actor: jane });
      if (queued.status !== "queued") throw new Error(queued.status);
      await poster.start(queued.taskId, CHANNEL);
      started(running);
      await eventually(async () => {
        await runner.idle();
        return /completed/.test(outbox.last().text);
      }, "the other process to finish it");
      expect(outbox.posts).toBe(1);
      expect(outbox.updates).toBeGreaterThan(0);
    });

    it("coalesces changes that come while an update is under way into one update with the latest state", async () => {
      const rig = taskRig(db, { dataDir });
      const outbox = new RecordingOutbox(30);
      const progress = reporter(rig, outbox);
      const { template } = await effectTemplate([{ id: "one" }]);
      const queued = await rig.tasks.submit(template, { values: { effects, name: "svc" }, actor: jane });
      if (queued.status !== "queued") throw new Error(queued.status);
      await progress.start(queued.taskId, CHANNEL);
      const before = outbox.updates;
      for (let i = 0; i < 20; i += 1) progress.changed(queued.taskId);
      await progress.idle();
      expect(outbox.updates - before).toBeLessThanOrEqual(2);
      expect(outbox.updates - before).toBeGreaterThanOrEqual(1);
    });

    it("posts nothing for a task another process queued and has not posted yet, and survives a failing outbox", async () => {
      const rig = taskRig(db, { dataDir });
      const broken: Outbox = {
        post: () => Promise.reject(new Error("not_in_channel")),
        update: () => Promise.reject(new Error("message_not_found")),
      };
      const progress = reporter(rig, broken);
      const { template } = await effectTemplate([{ id: "one" }]);
      const queued = await rig.tasks.submit(template, { values: { effects, name: "svc" }, actor: jane });
      if (queued.status !== "queued") throw new Error(queued.status);
      expect(await progress.start(queued.taskId, CHANNEL)).toBeUndefined();
      progress.changed(queued.taskId);
      progress.changed("no-such-task");
      await progress.idle();
      started(rig);
      await eventually(
        async () => (await rig.tasks.progress(queued.taskId))?.task.status === "completed",
        "the task",
      );
    });
  });
}
