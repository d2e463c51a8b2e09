import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../db/open-database.ts";
import { testTarget, type TestTarget } from "../../db/test-database.ts";
import type { ChatCommand, CommandContext } from "../../plugins/api.ts";
import { effectTemplate, lines, silentLog, taskRig } from "../../../test/fixtures/scaffold/task-fixtures.ts";
import type { TaskWorker } from "../tasks/task-worker.ts";
import { retryForm } from "./retry-form.ts";
import { scaffoldCommands } from "./scaffold-commands.ts";

const jane = { surface: "slack", id: "U1", catalogRef: "user:default/jane" };
const joe = { surface: "slack", id: "U2", catalogRef: "user:default/joe" };

function ctx(args: string, user = jane): CommandContext {
  return { args, flags: {}, text: args, user, conversation: { surface: "slack" }, log: silentLog };
}

describe("retrying a task that had secrets (SQLite)", () => {
  let target: TestTarget;
  let db: Database;
  let worker: TaskWorker | undefined;
  beforeEach(async () => {
    target = testTarget("sqlite");
    db = await target.open();
  });
  afterEach(async () => {
    await worker?.stop();
    await db.close();
    await target.drop();
  });

  it("asks for the secrets in a form of masked fields, then carries on from the failed step", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "cb-retry-"));
    const effects = join(dataDir, "effects");
    const rig = taskRig(db, { dataDir });
    worker = rig.tasks.worker();
    worker.start();
    const { template } = await effectTemplate([{ id: "one" }, { id: "two", failOnce: true, token: true }], {
      secret: true,
    });
    const queued = await rig.tasks.submit(template, {
      values: { effects, name: "svc", token: "tok-1" },
      actor: { id: "user:default/jane", userRef: "user:default/jane" },
    });
    if (queued.status !== "queued") throw new Error(queued.status);
    const until = Date.now() + 20_000;
    while ((await rig.tasks.progress(queued.taskId))?.task.status !== "failed") {
      if (Date.now() > until) throw new Error("the task did not fail");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }

    const retry = scaffoldCommands({
      scaffolder: rig.scaffolder,
      tasks: rig.tasks,
      renderProgress: async () => undefined,
    }).find((c) => c.name === "scaffold-retry") as ChatCommand;
    const asked = await retry.handler(ctx(queued.taskId));
    expect(asked.form?.pages[0]!.fields).toEqual([
      { name: "token", label: "token", kind: "secret", secret: true, required: true },
    ]);
    expect(asked.form?.state).toBe(queued.taskId);
    expect(JSON.stringify(asked)).not.toContain("tok-1");

    // Someone else gets no form, just the reason.
    const theirs = await retry.handler(ctx(queued.taskId, joe));
    expect(theirs.form).toBeUndefined();
    expect(theirs.text).toContain("only they and Callboard's admins may retry it");

    const form = retryForm(rig.tasks);
    const done = await form.submit(asked.form!, { token: "tok-2" }, ctx(""));
    expect(done.text).toMatch(/is queued again/);
    while ((await rig.tasks.progress(queued.taskId))?.task.status !== "completed") {
      if (Date.now() > until) throw new Error("the retry did not complete");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    // Step one kept its output; step two ran again with the new secret.
    expect(await lines(effects, queued.taskId, "starts")).toEqual([
      expect.stringMatching(/^one /),
      expect.stringMatching(/^two /),
      expect.stringMatching(/^two /),
    ]);
    await expect(form.open(ctx(queued.taskId))).rejects.toThrow(/has no secrets to ask for|only a failed/);
  }, 30_000);
});
