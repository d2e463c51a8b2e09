import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BotConnectorStandIn } from "../../test/fixtures/teams/bot-connector-stand-in.ts";
import { adaptiveCardErrors } from "../../test/fixtures/teams/card-validator.ts";
import { teamsModule } from "../bot/teams/teams-module.ts";
import { loadTemplateFile } from "../scaffold/template/load-template.ts";
import { buildApp, EXAMPLES_DIR, type App } from "./build-app.ts";
import { loadConfig } from "./config.ts";
import { serve, type Serving } from "./serve.ts";

/** The Payments Team's channel (its callboard.dev/teams-conversation-id annotation in the example catalog). */
const CHANNEL = "19:payments0c4f2e@thread.tacv2";
const SOFIA = {
  id: "29:sofia",
  name: "Sofia Marchetti",
  aadObjectId: "73decf77-7fba-41d3-aaf7-fe865dbcac54",
};
/** In the example organisation but in no Payments team. */
const MIRIAM = {
  id: "29:miriam",
  name: "Miriam Adeyemi",
  aadObjectId: "d4ca63c7-b869-44e3-a68c-53d92d31f9ce",
};
const daniel = { id: "user:default/daniel.osei", userRef: "user:default/daniel.osei" };
const fixtures = new URL("../../test/fixtures/teams/", import.meta.url);

function fixture(name: string, overrides: Record<string, unknown>): Record<string, unknown> {
  const activity = JSON.parse(readFileSync(new URL(`${name}.json`, fixtures), "utf8")) as Record<
    string,
    unknown
  >;
  return { ...activity, id: randomUUID(), ...overrides };
}

async function eventually<T>(check: () => Promise<T | undefined | false>, what: string): Promise<T> {
  const until = Date.now() + 20_000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`still waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- cards from the wire are inspected loosely
type Card = any;

/**
 * Approvals in Teams: with only Teams connected, the approval goes to the group's Teams channel (the Slack
 * channel it also names has no adapter here), as an Adaptive Card through the Bot Connector stand-in. Presses
 * are adaptiveCard/action invokes; a non-member's is answered in the thread and the card stays; a member's
 * updates the card in place and the task carries on.
 */
describe("approvals through Teams, end to end", () => {
  const connector = new BotConnectorStandIn();
  const dir = mkdtempSync(join(tmpdir(), "cb-approval-teams-"));
  let app: App;
  let serving: Serving;
  let serviceUrl = "";

  beforeAll(async () => {
    serviceUrl = await connector.start();
    connector.members.set(SOFIA.id, SOFIA);
    connector.members.set(MIRIAM.id, MIRIAM);
    const config = loadConfig(
      {
        CALLBOARD_DATA_DIR: join(dir, "data"),
        PORT: "0",
        HOST: "127.0.0.1",
        TEAMS_ENABLED: "true",
        CALLBOARD_BASE_URL: "http://callboard.test",
        CALLBOARD_SCAFFOLD_HEARTBEAT_SECONDS: "0.2",
        CALLBOARD_SCAFFOLD_HEARTBEAT_TIMEOUT_SECONDS: "2",
      },
      { cwd: dir },
    );
    app = await buildApp(config, pino({ level: "silent" }));
    serving = await serve(app, [teamsModule]);
    app.startTaskWorker();
  }, 120_000);

  afterAll(async () => {
    await serving?.stop();
    await app?.close();
    await connector.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function post(activity: Record<string, unknown>) {
    const res = await fetch(`${serving.http!.url}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(activity),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Card };
  }

  function press(data: unknown, from: typeof SOFIA, cardId: string) {
    return post(
      fixture("invoke-adaptive-card-action", {
        serviceUrl,
        from,
        replyToId: cardId,
        conversation: {
          id: CHANNEL,
          conversationType: "channel",
          tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
        },
        channelData: {
          teamsChannelId: CHANNEL,
          channel: { id: CHANNEL },
          tenant: { id: "72f988bf-86f1-41af-91ab-2d7cd011db47" },
          source: { name: "message" },
        },
        value: { action: { type: "Action.Execute", verb: "command", data }, trigger: "manual" },
      }),
    );
  }

  it("asks in the group's Teams channel, refuses a non-member, and carries on when a member approves", async () => {
    // Callboard learns a channel when a message comes from it (here, someone asks for help there).
    const hello = await post(
      fixture("message-channel-mention", {
        serviceUrl,
        from: SOFIA,
        text: "<at>Callboard</at> help",
        conversation: {
          id: `${CHANNEL};messageid=1733500000001`,
          conversationType: "channel",
          isGroup: true,
        },
        channelData: { teamsChannelId: CHANNEL, channel: { id: CHANNEL } },
      }),
    );
    expect(hello.status).toBe(200);
    await connector.waitFor((c) => c.conversationId?.startsWith(CHANNEL) === true);

    const template = await loadTemplateFile(
      join(EXAMPLES_DIR, "acme/templates/payments-service/template.yaml"),
    );
    const queued = await app.tasks.submit(template, {
      values: {
        name: "payout-checker",
        reason: "Checks payouts twice.",
        repoUrl: "local?owner=acme-payments&repo=payout-checker",
      },
      actor: daniel,
    });
    if (queued.status !== "queued") throw new Error(JSON.stringify(queued));
    const id = queued.taskId;
    await eventually(async () => {
      const task = await app.tasks.get(id, daniel);
      return "status" in task && task.status === "waiting";
    }, "the task to wait");
    const approval = await app.db.prisma.scaffoldApproval.findFirstOrThrow({ where: { taskId: id } });
    const ref = JSON.parse(approval.messageRef!) as { id: string; address: Record<string, string> };
    expect(ref.address).toEqual({ adapter: "teams", conversation: CHANNEL });
    const posted = connector.activities.get(ref.id)!;
    expect(posted.conversationId).toBe(CHANNEL);
    const card: Card = (posted.body.attachments as Card[])[0].content;
    expect(adaptiveCardErrors(card)).toEqual([]);
    const buttons = card.body.filter((e: Card) => e.type === "ActionSet").flatMap((e: Card) => e.actions);
    expect(buttons.map((b: Card) => [b.type, b.title])).toEqual([
      ["Action.Execute", "Approve"],
      ["Action.Execute", "Reject"],
    ]);

    const refused = await press(buttons[0].data, MIRIAM, ref.id);
    expect(refused.status).toBe(200);
    const refusal = await connector.waitFor((c) =>
      JSON.stringify(c.body).includes("Only members of group:default/team-payments may approve task"),
    );
    expect(JSON.stringify(refusal.body)).toContain("user:default/miriam.adeyemi is in group:default/acme");
    expect(posted.updates).toHaveLength(0);

    expect((await press(buttons[0].data, SOFIA, ref.id)).status).toBe(200);
    await eventually(async () => posted.updates.length === 1, "the card to be updated");
    expect(JSON.stringify(posted.updates[0])).toContain("Approved by user:default/sofia.marchetti at");
    expect(JSON.stringify(posted.updates[0])).not.toContain("Action.Execute");

    const done = await eventually(async () => {
      const task = await app.tasks.get(id, daniel);
      return "status" in task && ["completed", "failed", "cancelled"].includes(task.status)
        ? task
        : undefined;
    }, "the task to end");
    expect(done.error).toBeUndefined();
    expect(done.status).toBe("completed");
    expect(connector.violations).toEqual([]);
  }, 60_000);
});
