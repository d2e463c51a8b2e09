import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeSlackApi } from "../../test/fixtures/slack/fake-slack-api.ts";
import {
  blockActionsBody,
  sendSigned,
  SIGNING_SECRET,
  type Actor,
} from "../../test/fixtures/slack/slack-requests.ts";
import { slackModule } from "../bot/slack/slack-module.ts";
import { loadTemplateFile } from "../scaffold/template/load-template.ts";
import { buildApp, EXAMPLES_DIR, type App } from "./build-app.ts";
import { loadConfig } from "./config.ts";
import { serve, type Serving } from "./serve.ts";

/** In the example organisation: Sofia is in the Payments Team, James in the Ledger Team. */
const SOFIA: Actor = { userId: "U035D88AC0F", userName: "sofia.marchetti" };
const JAMES: Actor = { userId: "U010863234D", userName: "james.mcallister" };
const PAYMENTS_CHANNEL = "C27FB98F96";
const daniel = { id: "user:default/daniel.osei", userRef: "user:default/daniel.osei" };

async function eventually<T>(check: () => Promise<T | undefined | false>, what: string): Promise<T> {
  const until = Date.now() + 20_000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`still waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface SlackButton {
  action_id: string;
  value: string;
  text: { text: string };
}

/**
 * Approvals as people meet them: the example payments-service template asks the Payments Team in its Slack
 * channel (the group's slack.com/channel-id), through the Slack Web API stand-in; presses come back as signed
 * block_actions over HTTP. A person outside the team is refused with the reason; a member's Approve updates the
 * message in place and the task carries on to a repository and a catalog entity.
 */
describe("approvals through Slack, end to end", () => {
  const slack = new FakeSlackApi();
  const dir = mkdtempSync(join(tmpdir(), "cb-approval-slack-"));
  let app: App;
  let serving: Serving;
  let baseUrl = "";

  beforeAll(async () => {
    await slack.start();
    slack.addChannel(PAYMENTS_CHANNEL, { name: "team-payments", member: true });
    slack.addPerson({
      id: SOFIA.userId,
      name: SOFIA.userName,
      email: "sofia.marchetti@acmepayments.example",
    });
    slack.addPerson({ id: JAMES.userId, name: JAMES.userName });
    const config = loadConfig(
      {
        CALLBOARD_DATA_DIR: join(dir, "data"),
        PORT: "0",
        HOST: "127.0.0.1",
        SLACK_BOT_TOKEN: "xoxb-test-0000-callboard",
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        CALLBOARD_BASE_URL: "http://callboard.test",
        CALLBOARD_SCAFFOLD_HEARTBEAT_SECONDS: "0.2",
        CALLBOARD_SCAFFOLD_HEARTBEAT_TIMEOUT_SECONDS: "2",
      },
      { cwd: dir },
    );
    app = await buildApp(config, pino({ level: "silent" }));
    serving = await serve(app, [slackModule]);
    baseUrl = serving.http!.url;
    app.startTaskWorker();
  }, 120_000);

  afterAll(async () => {
    await serving?.stop();
    await app?.close();
    await slack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function press(button: SlackButton, actor: Actor, messageTs: string, responseId: string) {
    const body = blockActionsBody({
      actionId: button.action_id,
      value: button.value,
      label: button.text.text,
      channel: PAYMENTS_CHANNEL,
      messageTs,
      triggerId: `13345224609.${responseId}`,
      responseUrl: slack.responseUrl(responseId),
      actor,
    });
    const sent = await sendSigned(baseUrl, body, "application/x-www-form-urlencoded");
    expect(sent.status).toBe(200);
    return JSON.stringify((await slack.waitForResponse(responseId, 20_000)).args);
  }

  it("asks the group's channel, refuses a non-member's press, and carries on when a member approves", async () => {
    expect(app.scaffolder.entity("template:default/payments-service")).toBeDefined();
    const template = await loadTemplateFile(
      join(EXAMPLES_DIR, "acme/templates/payments-service/template.yaml"),
    );
    const queued = await app.tasks.submit(template, {
      values: {
        name: "refunds-worker",
        reason: "Refunds need their own queue consumer.",
        repoUrl: "local?owner=acme-payments&repo=refunds-worker",
      },
      actor: daniel,
    });
    if (queued.status !== "queued") throw new Error(JSON.stringify(queued));
    const id = queued.taskId;

    const posted = await slack.waitFor(
      (call) => call.method === "chat.postMessage" && call.args.channel === PAYMENTS_CHANNEL,
      20_000,
    );
    const blocks = (
      typeof posted.args.blocks === "string" ? JSON.parse(posted.args.blocks) : posted.args.blocks
    ) as Array<{ type: string; elements?: SlackButton[] }>;
    const buttons = blocks.flatMap((b) => (b.type === "actions" ? (b.elements ?? []) : []));
    expect(buttons.map((b) => b.text.text)).toEqual(["Approve", "Reject"]);
    expect(JSON.stringify(blocks)).toContain(
      "user:default/daniel.osei asks for a new payments service, refunds-worker",
    );
    await eventually(async () => {
      const task = await app.tasks.get(id, daniel);
      return "status" in task && task.status === "waiting";
    }, "the task to wait");
    // The message the buttons are on, as the outbox recorded it with the approval.
    const approval = await app.db.prisma.scaffoldApproval.findFirstOrThrow({ where: { taskId: id } });
    const messageTs = (JSON.parse(approval.messageRef!) as { id: string }).id;
    expect(slack.message(messageTs)?.channel).toBe(PAYMENTS_CHANNEL);

    const refused = await press(buttons[0]!, JAMES, messageTs, "james-1");
    expect(refused).toContain("Only members of group:default/team-payments may approve task");
    expect(refused).toContain("user:default/james.mcallister is in group:default/");
    expect(refused).toContain("Ask a member of group:default/team-payments to decide.");
    expect(slack.message(messageTs)?.updates ?? 0).toBe(0);

    const approved = await press(buttons[0]!, SOFIA, messageTs, "sofia-1");
    expect(approved).toContain("Approved by user:default/sofia.marchetti at");
    const updated = slack.message(messageTs)!;
    expect(updated.updates).toBe(1);
    expect(JSON.stringify(updated.blocks)).toContain("Approved by user:default/sofia.marchetti at");
    expect(JSON.stringify(updated.blocks)).not.toContain('"type":"actions"');

    const again = await press(buttons[1]!, SOFIA, messageTs, "sofia-2");
    expect(again).toContain("was already approved by user:default/sofia.marchetti at");

    const done = await eventually(async () => {
      const task = await app.tasks.get(id, daniel);
      return "status" in task && ["completed", "failed", "cancelled"].includes(task.status)
        ? task
        : undefined;
    }, "the task to end");
    expect(done.error).toBeUndefined();
    expect(done.status).toBe("completed");
    expect(done.output?.text[0]?.content).toMatch(/^Approved by user:default\/sofia\.marchetti at \d{4}-/);
    expect(app.catalog.graph.get("component:default/refunds-worker")?.metadata.description).toBe(
      "A payments service, approved by user:default/sofia.marchetti.",
    );
    expect(slack.violations).toEqual([]);
  }, 60_000);
});
