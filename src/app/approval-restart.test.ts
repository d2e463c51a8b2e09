import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import pino from "pino";
import { afterEach, beforeAll, afterAll, describe, expect, it } from "vitest";
import { FakeSlackApi } from "../../test/fixtures/slack/fake-slack-api.ts";
import { blockActionsBody, sendSigned, SIGNING_SECRET } from "../../test/fixtures/slack/slack-requests.ts";
import { providersUnderTest, testTarget, type TestTarget } from "../db/test-database.ts";
import { loadTemplateFile } from "../scaffold/template/load-template.ts";
import { buildApp, EXAMPLES_DIR, type App } from "./build-app.ts";
import { loadConfig } from "./config.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const tsx = pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href;
const PAYMENTS_CHANNEL = "C27FB98F96";
const SOFIA = { userId: "U035D88AC0F", userName: "sofia.marchetti" };
const daniel = { id: "user:default/daniel.osei", userRef: "user:default/daniel.osei" };

interface Running {
  child: ChildProcess;
  url: string;
  logs: string[];
}

/** `npm start` as an operator runs it, with Slack pointed at the stand-in; resolves once it serves. */
async function startCallboard(env: Record<string, string>): Promise<Running> {
  const logs: string[] = [];
  const child = spawn(process.execPath, ["--import", tsx, join(root, "src/app/main.ts")], {
    cwd: env.CALLBOARD_DATA_DIR,
    env: { PATH: process.env.PATH, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stderr!.on("data", (chunk) => logs.push(String(chunk)));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      logs.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === "Callboard is serving" && entry.url) resolve(entry.url);
      } catch {
        // not a log line
      }
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code}:\n${logs.join("\n")}`)));
  });
  return { child, url, logs };
}

async function stop(running: Running | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!running || running.child.exitCode !== null || running.child.signalCode !== null) return;
  const exited = new Promise((resolve) => running.child.once("exit", resolve));
  running.child.kill(signal);
  await exited;
}

async function eventually<T>(check: () => Promise<T | undefined | false>, what: string): Promise<T> {
  const until = Date.now() + 30_000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`still waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The approval outlives the process that asked: Callboard posts the buttons into the Payments Team's Slack
 * channel and is then killed (SIGKILL, nothing handed back); a new Callboard process on the same database takes
 * the member's press over signed HTTP, updates the message, and finishes the task.
 */
for (const { provider, available } of await providersUnderTest()) {
  describe.skipIf(!available)(`an approval across a restart, on ${provider}`, () => {
    const slack = new FakeSlackApi();
    let target: TestTarget;
    let dir: string;
    let first: Running | undefined;
    let second: Running | undefined;
    let observer: App | undefined;

    beforeAll(async () => {
      await slack.start();
      slack.addChannel(PAYMENTS_CHANNEL, { name: "team-payments", member: true });
      slack.addPerson({ id: SOFIA.userId, name: SOFIA.userName });
    });
    afterAll(() => slack.stop());
    afterEach(async () => {
      await stop(first, "SIGKILL");
      await stop(second, "SIGKILL");
      await observer?.close();
      await target.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it("is decided in the new process and the task finishes there", async () => {
      target = testTarget(provider);
      dir = mkdtempSync(join(tmpdir(), "cb-approval-restart-"));
      const env = {
        CALLBOARD_DATA_DIR: dir,
        DATABASE_URL: provider === "postgresql" ? target.url : `file:${join(dir, "callboard.db")}`,
        CALLBOARD_SECRET_KEY: "approval restart test key",
        PORT: "0",
        HOST: "127.0.0.1",
        SLACK_BOT_TOKEN: "xoxb-test-0000-callboard",
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        CALLBOARD_BASE_URL: "http://callboard.test",
        CALLBOARD_SCAFFOLD_HEARTBEAT_SECONDS: "0.5",
        CALLBOARD_SCAFFOLD_HEARTBEAT_TIMEOUT_SECONDS: "3",
      };
      first = await startCallboard(env);
      // This test's own view of the database (its own data folder, so no search index is shared): it queues
      // the task and reads the outcome, and runs no tasks.
      observer = await buildApp(
        loadConfig(
          { ...env, CALLBOARD_DATA_DIR: join(dir, "observer"), CALLBOARD_SCAFFOLD_CONCURRENCY: "0" },
          { cwd: dir },
        ),
        pino({ level: "silent" }),
        { skipImport: true },
      );
      const template = await loadTemplateFile(
        join(EXAMPLES_DIR, "acme/templates/payments-service/template.yaml"),
      );
      const queued = await observer.tasks.submit(template, {
        values: {
          name: "chargeback-desk",
          reason: "Chargebacks get their own desk.",
          repoUrl: "local?owner=acme-payments&repo=chargeback-desk",
        },
        actor: daniel,
      });
      if (queued.status !== "queued") throw new Error(JSON.stringify(queued));
      const id = queued.taskId;
      const posted = await slack.waitFor(
        (call) =>
          call.method === "chat.postMessage" &&
          call.args.channel === PAYMENTS_CHANNEL &&
          JSON.stringify(call.args).includes("chargeback-desk"),
        30_000,
      );
      await eventually(async () => {
        const task = await observer!.tasks.get(id, daniel);
        return "status" in task && task.status === "waiting";
      }, "the task to wait");

      await stop(first, "SIGKILL");
      second = await startCallboard(env);

      const approval = await observer.db.prisma.scaffoldApproval.findFirstOrThrow({ where: { taskId: id } });
      const messageTs = (JSON.parse(approval.messageRef!) as { id: string }).id;
      const blocks = (
        typeof posted.args.blocks === "string" ? JSON.parse(posted.args.blocks) : posted.args.blocks
      ) as Array<{
        type: string;
        elements?: Array<{ action_id: string; value: string; text: { text: string } }>;
      }>;
      const approve = blocks.flatMap((b) => b.elements ?? []).find((e) => e.text?.text === "Approve")!;
      const answered = slack.waitForResponse(`approve-${provider}`, 30_000);
      const sent = await sendSigned(
        second.url,
        blockActionsBody({
          actionId: approve.action_id,
          value: approve.value,
          label: "Approve",
          channel: PAYMENTS_CHANNEL,
          messageTs,
          triggerId: "13345224609.77",
          responseUrl: slack.responseUrl(`approve-${provider}`),
          actor: SOFIA,
        }),
        "application/x-www-form-urlencoded",
      );
      expect(sent.status).toBe(200);
      expect(JSON.stringify((await answered).args)).toContain("Approved by user:default/sofia.marchetti at");

      const done = await eventually(async () => {
        const task = await observer!.tasks.get(id, daniel);
        return "status" in task && ["completed", "failed", "cancelled"].includes(task.status)
          ? task
          : undefined;
      }, "the task to end");
      expect(done.error).toBeUndefined();
      expect(done.status).toBe("completed");
      expect(slack.message(messageTs)?.updates).toBe(1);
      expect(JSON.stringify(slack.message(messageTs)?.blocks)).toContain(
        "Approved by user:default/sofia.marchetti",
      );
      // Posted once, by the first process; the second only updated it.
      expect(
        slack.calls.filter(
          (c) => c.method === "chat.postMessage" && JSON.stringify(c.args).includes("chargeback-desk"),
        ),
      ).toHaveLength(1);
      const log = await observer.tasks.log(id, daniel);
      if ("refused" in log) throw new Error(log.refused);
      expect(log.entries.some((e) => /^Approved by user:default\/sofia\.marchetti at /.test(e.message))).toBe(
        true,
      );
      expect(slack.violations).toEqual([]);
    }, 120_000);
  });
}
