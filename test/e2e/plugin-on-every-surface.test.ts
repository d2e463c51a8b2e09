/**
 * The chat core's end-to-end check: a plugin from outside src/ (test/fixtures/e2e/e2e-plugin.ts), registered
 * through the plugin API only, in the real app, works on Slack (signed HTTP, real Bolt, the Web API stand-in),
 * Teams (Bot Framework JWTs, real botbuilder, the Bot Connector stand-in) and the terminal: its command, its
 * two-page form, "Show more" on its long answer, its index source through `search`, its HTTP route, its
 * scaffolder action in a template run, and its job posting and updating through the outbox, across a restart.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- cards, views and invoke bodies from the wire are read loosely */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACK_ACTION_ID } from "../../src/bot/slack/render-modal.ts";
import {
  cardText,
  FORM_ENCODED,
  Platforms,
  postActivity,
  slashCommand,
  startCallboard,
  teamsActivity,
  teamsMessage,
  trigger,
  type Callboard,
} from "../fixtures/e2e/callboard-under-test.ts";
import { NOTE, UPDATES, type KeptMessage } from "../fixtures/e2e/e2e-plugin.ts";
import { BOT_USER_ID } from "../fixtures/slack/fake-slack-api.ts";
import {
  appMentionBody,
  blockActionsBody,
  nextEventId,
  sendSigned,
  slashCommandBody,
  viewBlockActionsBody,
  viewSubmissionBody,
} from "../fixtures/slack/slack-requests.ts";

const TEMPLATE = fileURLToPath(new URL("../fixtures/e2e/template/template.yaml", import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** What a Teams job message says now, from the card the connector was given. */
const jobText = (activity: unknown) =>
  /[a-z]+-job: (?:step \d+ of \d+|done)/.exec(JSON.stringify(activity))?.[0];
const steps = (label: string) =>
  Array.from({ length: UPDATES }, (_, i) => `${label}: step ${i + 1} of ${UPDATES}`);

const platforms = new Platforms();
let callboard: Callboard;

beforeAll(async () => {
  await platforms.start();
  platforms.slack.addChannel("C0E2EJOBS", { name: "e2e-jobs", member: true });
  callboard = await startCallboard(platforms, { terminal: true });
});

afterAll(async () => {
  await callboard?.stop();
  await platforms.stop();
});

describe("a plugin from outside src/, on every adapter of the real app", () => {
  it("answers its command on Slack, Teams and the terminal", async () => {
    const slack = await slashCommand(platforms, callboard, "relay hello", "relay-1");
    expect(slack).toMatchObject({ text: "relay: hello (slack)" });

    // Teams requests are checked by botbuilder against the Bot Framework's keys: one without a token is refused.
    const unsigned = await fetch(`${callboard.base}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(teamsActivity(platforms, "message-personal", { text: "relay hello" })),
    });
    expect(unsigned.status).toBe(401);
    const card = await teamsMessage(platforms, callboard, "relay hello");
    expect(cardText(card)).toContain("relay: **hello** (teams)");

    expect(await callboard.terminal!.type("relay hello", "relay: hello (shell)")).toContain("Relay");
  });

  it("finds the index source's document with search on every adapter", async () => {
    const slack = await slashCommand(platforms, callboard, "search quokka", "search-1");
    expect(JSON.stringify(slack.blocks)).toContain(NOTE.title);
    expect(cardText(await teamsMessage(platforms, callboard, "search quokka"))).toContain(NOTE.title);
    await callboard.terminal!.type("search quokka", NOTE.title);
    // A rebuild of the derived index takes every source's documents, the plugin's among them.
    expect(await callboard.app.reindex()).toBe(1);
    expect(cardText(await teamsMessage(platforms, callboard, "search quokka"))).toContain(NOTE.title);
  });

  it("answers its route with the path parameter decoded", async () => {
    const res = await fetch(`${callboard.base}/e2e/orders/order%2042`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ order: "order 42" });
    expect((await fetch(`${callboard.base}/e2e/orders/`)).status).toBe(404);
  });

  it("runs its scaffolder action in a template run, dry and for real, its input checked first", async () => {
    const template = await callboard.app.scaffolder.templateFile(TEMPLATE);
    const dry = await callboard.app.scaffolder.run(template, { values: { name: "widget" }, dryRun: true });
    expect(dry).toMatchObject({ status: "completed", dryRun: true });
    expect(JSON.stringify(dry)).toContain("widget.txt");
    const real = await callboard.app.scaffolder.run(template, { values: { name: "gadget" } });
    expect(real).toMatchObject({ status: "completed", steps: [{ id: "stamp", status: "completed" }] });
    expect(JSON.stringify((real as { output?: unknown }).output)).toContain("gadget.txt");
    // The action's input schema refuses a name its pattern does not allow, before the action runs.
    const refused = await callboard.app.scaffolder.run(template, { values: { name: "Not A Name" } });
    expect(refused).toMatchObject({ status: "failed" });
    expect((refused as { error?: string }).error).toMatch(
      /the input to e2e:stamp does not fit its schema: "name" must match the pattern/,
    );
    expect(JSON.stringify(refused)).not.toContain("stamped Not A Name");
  });
});

describe("the plugin's two-page form", () => {
  const submit = async (view: Record<string, unknown>, values: Record<string, unknown>) => {
    const sent = await sendSigned(
      callboard.base,
      viewSubmissionBody({ view, values: values as never, triggerId: trigger() }),
      FORM_ENCODED,
    );
    expect(sent.status).toBe(200);
    return sent.body ? (JSON.parse(sent.body) as Record<string, any>) : {};
  };
  const item = (value: string) => ({ item: { value: { type: "plain_text_input", value } } });
  const count = (value: string) => ({ count: { value: { type: "number_input", value } } });

  it("on Slack: a modal with errors per field, Back keeping both pages, then the result", async () => {
    const responseUrl = platforms.slack.responseUrl("order-1");
    await sendSigned(
      callboard.base,
      slashCommandBody("/callboard", "order", responseUrl, trigger()),
      FORM_ENCODED,
    );
    const page1 = (await platforms.slack.waitFor((c) => c.method === "views.open")).args.view as Record<
      string,
      any
    >;

    expect(await submit(page1, item("Bad Item"))).toEqual({
      response_action: "errors",
      errors: { item: "Use lower-case letters, digits and dashes for the item." },
    });
    const next = await submit(page1, item("widget"));
    expect(next.response_action).toBe("update");
    expect(await submit(next.view, count("42"))).toEqual({
      response_action: "errors",
      errors: { count: "Order between 1 and 9." },
    });

    const back = await sendSigned(
      callboard.base,
      viewBlockActionsBody({
        view: { ...next.view, id: "V0E2EBACK", hash: "1700000401.e2e" },
        values: count("4") as never,
        actionId: BACK_ACTION_ID,
        value: "back",
        triggerId: trigger(),
      }),
      FORM_ENCODED,
    );
    expect(back.status).toBe(200);
    const updated = await platforms.slack.waitFor(
      (c) => c.method === "views.update" && c.args.view_id === "V0E2EBACK",
    );
    const shown = updated.args.view as Record<string, any>;
    expect(JSON.stringify(shown.blocks)).toContain('"initial_value":"widget"');
    const again = await submit(shown, item("widget"));
    expect(JSON.stringify(again.view)).toContain('"initial_value":"4"');
    expect(await submit(again.view, count("4"))).toEqual({ response_action: "clear" });
    expect((await platforms.slack.waitForResponse("order-1")).args.text).toBe("Ordered 4 x widget for slack");
  });

  it("on Teams: a dialog with errors per field, Back keeping both pages, then the result", async () => {
    const card = await teamsMessage(platforms, callboard, "order");
    const open = card.body
      .flatMap((e: any) => e.actions ?? [])
      .find((a: any) => a.title === "Open Order a widget");
    const invoke = (value: Record<string, unknown>) =>
      postActivity(platforms, callboard, teamsActivity(platforms, "invoke-task-submit", { value }));
    const dialog = (answer: { body: any }) => answer.body.task.value.card.content;

    const fetched = await postActivity(
      platforms,
      callboard,
      teamsActivity(platforms, "invoke-task-fetch", { value: { type: "task/fetch", data: open.data } }),
    );
    const page1 = dialog(fetched);
    const submitPage = (data: Record<string, unknown>) => invoke({ type: "task/submit", data });
    const bad = dialog(await submitPage({ ...page1.actions[0].data, item: "Bad Item" }));
    expect(cardText(bad)).toContain("Use lower-case letters, digits and dashes for the item.");
    const page2 = dialog(await submitPage({ ...page1.actions[0].data, item: "widget" }));
    const tooMany = dialog(await submitPage({ ...page2.actions[0].data, count: "42" }));
    expect(cardText(tooMany)).toContain("Order between 1 and 9.");

    const backAction = tooMany.actions.find((a: any) => a.title === "Back");
    const backAgain = dialog(await submitPage({ ...backAction.data, count: "4" }));
    expect(backAgain.body.find((e: any) => e.id === "item").value).toBe("widget");
    const page2Again = dialog(await submitPage({ ...backAgain.actions[0].data, item: "widget" }));
    expect(page2Again.body.find((e: any) => e.id === "count").value).toBe(4);
    const done = await submitPage({ ...page2Again.actions[0].data, count: "4" });
    expect(done.status).toBe(200);
    const result = await platforms.connector.waitFor((c) =>
      JSON.stringify(c.body).includes("Ordered 4 x widget"),
    );
    expect(JSON.stringify(result.body)).toContain("Ordered **4 x widget** for teams");
  });

  it("in the terminal: questions with errors per field, :back keeping what was typed, then the result", async () => {
    const terminal = callboard.terminal!;
    await terminal.type("order", "-- What (page 1 of 2) --");
    expect(await terminal.type("Bad Item", "-- What (page 1 of 2) --")).toContain(
      "! Use lower-case letters, digits and dashes for the item.",
    );
    await terminal.type("widget", "-- How many (page 2 of 2) --");
    expect(await terminal.type("42", "-- How many")).toContain("! Order between 1 and 9.");
    await terminal.type(":back", "-- What (page 1 of 2) --");
    // An empty answer keeps what is there: the item typed before Back.
    await terminal.type("", "-- How many (page 2 of 2) --");
    await terminal.type("4", "Ordered 4 x widget for shell");
  });
});

describe('"Show more" on a cut answer', () => {
  const lines = (text: string) => [...text.matchAll(/Line (\d+):/g)].map((m) => Number(m[1]));
  const all = Array.from({ length: 120 }, (_, i) => i);

  it("brings the rest on Slack", async () => {
    let message = await slashCommand(platforms, callboard, "long", "long-1");
    let pressed = 0;
    const seen = lines(JSON.stringify(message.blocks));
    for (let part = 1; ; part++) {
      expect(part).toBeLessThan(10);
      const last = message.blocks.at(-1);
      const more =
        last.type === "actions" ? last.elements.find((e: any) => e.text.text === "Show more") : undefined;
      if (!more) break;
      const id = `long-1-more-${part}`;
      const sent = await sendSigned(
        callboard.base,
        blockActionsBody({
          actionId: more.action_id,
          value: more.value,
          label: "Show more",
          channel: "C0PLATFORM",
          messageTs: `1700000900.00020${part}`,
          triggerId: trigger(),
          responseUrl: platforms.slack.responseUrl(id),
        }),
        FORM_ENCODED,
      );
      expect(sent.status).toBe(200);
      message = (await platforms.slack.waitForResponse(id)).args;
      seen.push(...lines(JSON.stringify(message.blocks)));
      pressed = part;
    }
    expect(pressed).toBeGreaterThan(1);
    expect(seen).toEqual(all);
  });

  it("brings the rest on Teams", async () => {
    let card = await teamsMessage(platforms, callboard, "long");
    let pressed = 0;
    const seen = lines(cardText(card));
    for (let part = 1; card.body.at(-1).type === "ActionSet"; part++) {
      expect(part).toBeLessThan(10);
      const more = card.body.at(-1).actions[0];
      expect(more).toMatchObject({ title: "Show more", verb: "more" });
      const next = await postActivity(
        platforms,
        callboard,
        teamsActivity(platforms, "invoke-adaptive-card-action", {
          value: { action: { type: "Action.Execute", verb: "more", data: more.data }, trigger: "manual" },
        }),
      );
      card = next.body.value;
      seen.push(...lines(cardText(card)));
      pressed = part;
    }
    expect(pressed).toBeGreaterThan(0);
    expect(seen).toEqual(all);
  });

  it("brings the rest in the terminal", async () => {
    const terminal = callboard.terminal!;
    let shown = await terminal.type("long", /\n\n$/);
    let pressed = 0;
    const seen = lines(shown);
    for (let part = 1; /\[(\d+)\] Show more/.test(shown); part++) {
      expect(part).toBeLessThan(10);
      const choice = /\[(\d+)\] Show more/.exec(shown)![1]!;
      shown = await terminal.type(choice, /\n\n$/);
      seen.push(...lines(shown));
      pressed = part;
    }
    expect(pressed).toBeGreaterThan(0);
    expect(seen).toEqual(all);
  });
});

describe("the plugin's job, posting through the outbox", () => {
  it(`posts into a Slack thread, a Teams reply chain and the terminal, updates each ${UPDATES} times in order within the platforms' limits, and after a restart updates the same messages from their stored refs`, async () => {
    // Asked in a Slack thread, a Teams channel's reply chain and the terminal: each answers at once.
    const mention = appMentionBody(`<@${BOT_USER_ID}> progress slack-job`, {
      ts: "1700000500.000200",
      threadTs: "1700000500.000100",
      channel: "C0E2EJOBS",
      eventId: nextEventId(),
    });
    expect((await sendSigned(callboard.base, mention, "application/json")).status).toBe(200);
    const chain = "1732530999001";
    const asked = teamsActivity(platforms, "message-channel-mention", {
      id: chain,
      text: "<at>Callboard</at> progress teams-job",
      conversation: {
        id: `19:3f2c8e@thread.tacv2;messageid=${chain}`,
        conversationType: "channel",
        isGroup: true,
        tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
      },
    });
    expect((await postActivity(platforms, callboard, asked)).status).toBe(200);
    await callboard.terminal!.type("progress shell-job", "Working on shell-job");
    await platforms.slack.waitFor(
      (c) => c.method === "chat.postMessage" && c.args.text === "Working on slack-job",
    );
    await callboard.e2e.settled();

    const kept = () =>
      Object.fromEntries(
        (JSON.parse(readFileSync(platforms.stateFile, "utf8")) as KeptMessage[]).map((m) => [m.label, m]),
      );
    const refs = kept();
    expect(Object.keys(refs).sort()).toEqual(["shell-job", "slack-job", "teams-job"]);

    // Slack: one message in the thread, updated in place 20 times, in order, never throttled.
    const slackRef = refs["slack-job"]!.ref;
    expect(slackRef.address).toMatchObject({
      adapter: "slack",
      channel: "C0E2EJOBS",
      thread: "1700000500.000100",
    });
    const slackUpdates = platforms.slack.calls.filter(
      (c) => c.method === "chat.update" && c.args.ts === slackRef.id,
    );
    expect(slackUpdates.map((c) => c.args.text)).toEqual(steps("slack-job"));
    expect(platforms.slack.message(slackRef.id)).toMatchObject({
      thread_ts: "1700000500.000100",
      text: `slack-job: step ${UPDATES} of ${UPDATES}`,
      updates: UPDATES,
    });
    expect(platforms.slack.violations).toEqual([]);

    // Teams: one activity in the reply chain, replaced 20 times, in order, never throttled.
    const teamsRef = refs["teams-job"]!.ref;
    expect(teamsRef.address).toEqual({
      adapter: "teams",
      conversation: "19:3f2c8e@thread.tacv2",
      replyChain: chain,
    });
    const posted = platforms.connector.activities.get(teamsRef.id)!;
    expect(posted.conversationId).toBe(`19:3f2c8e@thread.tacv2;messageid=${chain}`);
    expect(posted.updates.map(jobText)).toEqual(steps("teams-job"));
    expect(platforms.connector.violations).toEqual([]);
    expect(platforms.connector.throttled).toBe(0);

    // The terminal cannot edit what it printed: each update is printed after it, in order.
    const printed = callboard.terminal!.printed;
    const at = steps("shell-job").map((text) => printed.indexOf(text));
    expect(at.every((index, i) => index > 0 && (i === 0 || index > at[i - 1]!))).toBe(true);

    // Each adapter does what its capabilities say: one that edits in place keeps the message's ref, the
    // terminal's update is a follow-up of its own.
    for (const adapter of callboard.serving.adapters) {
      const message = Object.values(refs).find((m) => m.ref.address.adapter === adapter.name)!;
      expect({ adapter: adapter.name, sameRef: message.last!.id === message.ref.id }).toEqual({
        adapter: adapter.name,
        sameRef: adapter.capabilities.updateInPlace,
      });
    }

    // A restart: a new process on the same database and state file, without the terminal. A new process does
    // not know how fast the old one sent; a restart takes longer than the platforms' windows (1 s, 2 s).
    await callboard.stop();
    await sleep(2000);
    callboard = await startCallboard(platforms);
    await callboard.e2e.settled();

    const after = kept();
    expect(after["slack-job"]).toMatchObject({ finished: true });
    expect(platforms.slack.message(slackRef.id)).toMatchObject({
      text: "slack-job: done",
      updates: UPDATES + 1,
    });
    expect(after["teams-job"]).toMatchObject({ finished: true });
    expect(jobText(posted.updates.at(-1))).toBe("teams-job: done");
    expect(
      platforms.connector.calls.filter((c) => c.method === "PUT" && c.activityId === teamsRef.id),
    ).toHaveLength(UPDATES + 1);
    // The terminal session ended with its process: the job is told so, and nothing is half-done.
    expect(after["shell-job"]).toMatchObject({ finished: false, error: expect.stringContaining('"shell"') });
    expect(platforms.slack.violations).toEqual([]);
    expect(platforms.connector.violations).toEqual([]);
    expect(platforms.connector.problems).toEqual([]);
  }, 60_000);
});
