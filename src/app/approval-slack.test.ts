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
  slashCommandBody,
  viewSubmissionBody,
  type Actor,
} from "../../test/fixtures/slack/slack-requests.ts";
import { slackModule } from "../bot/slack/slack-module.ts";
import { loadTemplateFile } from "../scaffold/template/load-template.ts";
import { buildApp, EXAMPLES_DIR, type App } from "./build-app.ts";
import { loadConfig } from "./config.ts";
import { serve, type Serving } from "./serve.ts";

/** In the example organisation: Sofia and Daniel are in the Payments Team, James in the Ledger Team. */
const SOFIA: Actor = { userId: "U035D88AC0F", userName: "sofia.marchetti" };
const DANIEL: Actor = { userId: "U0BDCBC33BE", userName: "daniel.osei" };
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
    slack.addPerson({ id: DANIEL.userId, name: DANIEL.userName });
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

  /** `/scaffold payments-service` from Sofia in #platform, both pages and the review: Slack calls before Create. */
  async function askFromSlack(name: string): Promise<number> {
    let trigger = 0;
    const form = (body: string) => sendSigned(baseUrl, body, "application/x-www-form-urlencoded");
    const before = slack.calls.length;
    const opened = slack.waitFor((c) => c.method === "views.open" && slack.calls.indexOf(c) >= before);
    await form(
      slashCommandBody("/scaffold", "payments-service", slack.responseUrl(`ask-${name}`), `1.${name}`, SOFIA),
    );
    let view = (await opened).args.view as { private_metadata: string };
    const submit = async (values: Record<string, Record<string, Record<string, unknown>>>) => {
      const sent = await form(
        viewSubmissionBody({ view, values, triggerId: `2.${name}.${++trigger}`, actor: SOFIA }),
      );
      const answer = JSON.parse(sent.body || "{}") as { response_action?: string; view?: typeof view };
      if (answer.view) view = answer.view;
      return answer.response_action;
    };
    expect(
      await submit({
        name: { value: { type: "plain_text_input", value: name } },
        reason: { value: { type: "plain_text_input", value: "Chargebacks need their own consumer." } },
      }),
    ).toBe("update");
    expect(
      await submit({
        repoUrl: {
          value: { type: "plain_text_input", value: `local?owner=acme-payments&repo=${name}` },
        },
      }),
    ).toBe("update");
    const after = slack.calls.length;
    expect(await submit({})).toBe("clear");
    return after;
  }

  /** The approval message posted after call `after`: its ts, buttons and task id. */
  async function approvalAfter(after: number) {
    const posted = await slack.waitFor(
      (c) =>
        c.method === "chat.postMessage" &&
        c.args.channel === PAYMENTS_CHANNEL &&
        slack.calls.indexOf(c) >= after,
      20_000,
    );
    const blocks = (
      typeof posted.args.blocks === "string" ? JSON.parse(posted.args.blocks) : posted.args.blocks
    ) as Array<{ type: string; elements?: SlackButton[] }>;
    const buttons = blocks.flatMap((b) => (b.type === "actions" ? (b.elements ?? []) : []));
    const taskId = /scaffold approve ([0-9a-f-]{36})/.exec(JSON.stringify(buttons))![1]!;
    // The outbox records where the message went with the approval once Slack answered the post.
    const ref = await eventually(async () => {
      const approval = await app.db.prisma.scaffoldApproval.findFirst({ where: { taskId } });
      return approval?.messageRef ?? undefined;
    }, "the approval's message ref");
    const ts = (JSON.parse(ref) as { id: string }).id;
    return { ts, buttons, taskId };
  }

  /** The progress message in #platform posted after call `after`, once an update matches `status`. */
  async function progressAfter(after: number, status: RegExp): Promise<string> {
    const update = await slack.waitFor(
      (c) =>
        c.method === "chat.update" &&
        c.args.channel === "C0PLATFORM" &&
        slack.calls.indexOf(c) >= after &&
        status.test(String(c.args.text)),
      20_000,
    );
    return JSON.stringify(slack.message(String(update.args.ts))!.blocks);
  }

  it("refuses the requester's own Approve, then shows who approved and when in the progress message", async () => {
    const after = await askFromSlack("chargeback-sync");
    const { ts, buttons, taskId } = await approvalAfter(after);
    // Sofia asked for it and is in the Payments Team: four eyes, so another member approves.
    expect(JSON.stringify(slack.message(ts)!.blocks)).toContain(
      "members of group:default/team-payments other than user:default/sofia.marchetti",
    );
    const own = await press(buttons[0]!, SOFIA, ts, "sofia-approves");
    expect(own).toContain(
      `You asked for task ${taskId}, so you may not approve it yourself: another member of ` +
        "group:default/team-payments must approve it.",
    );
    expect(own).toContain("Not approved.");
    // Nothing changed: the buttons are still there for the others, and the task still waits.
    expect(slack.message(ts)?.updates ?? 0).toBe(0);
    const waiting = await app.tasks.get(taskId, { id: "user:default/sofia.marchetti" });
    expect("status" in waiting && waiting.status).toBe("waiting");

    expect(await press(buttons[0]!, DANIEL, ts, "daniel-approves")).toContain(
      "Approved by user:default/daniel.osei at",
    );
    expect(slack.message(ts)!.updates).toBe(1);
    const progress = await progressAfter(after, /completed/);
    expect(progress).toContain("Payments Team approval");
    expect(progress).toMatch(/Approved by user:default\/daniel\.osei at \d{4}-\d\d-\d\dT/);
    expect(slack.violations).toEqual([]);
  }, 60_000);

  it("retires the approval message at once when the waiting task is cancelled, saying by whom", async () => {
    const after = await askFromSlack("dispute-feed");
    const { ts, buttons, taskId } = await approvalAfter(after);
    await eventually(async () => {
      const task = await app.tasks.get(taskId, { id: "user:default/sofia.marchetti" });
      return "status" in task && task.status === "waiting";
    }, "the task to wait");
    expect(slack.message(ts)?.updates ?? 0).toBe(0);

    const cancelled = slack.waitForResponse("sofia-cancels", 20_000);
    await sendSigned(
      baseUrl,
      slashCommandBody(
        "/callboard",
        `scaffold cancel ${taskId}`,
        slack.responseUrl("sofia-cancels"),
        "3.cancel",
        SOFIA,
      ),
      "application/x-www-form-urlencoded",
    );
    expect(JSON.stringify((await cancelled).args)).toContain("was cancelled while it waited for an approval");
    // Updated by the cancel itself, before anyone pressed anything.
    const retired = slack.message(ts)!;
    expect(retired.updates).toBe(1);
    const shown = JSON.stringify(retired.blocks);
    expect(shown).toContain("Cancelled by user:default/sofia.marchetti while it waited for an approval.");
    expect(shown).not.toContain('"type":"actions"');
    expect(await progressAfter(after, /cancelled/)).toContain("Cancelled by user:default/sofia.marchetti");

    // A press on a button someone still sees is told the task ended.
    expect(await press(buttons[0]!, SOFIA, ts, "sofia-late")).toContain(
      "has already ended (cancelled); there is nothing to approve.",
    );
    expect(slack.message(ts)!.updates).toBe(1);
    expect(slack.violations).toEqual([]);
  }, 60_000);
});
