import { connect, type Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startHttpServer } from "../../app/http-server.ts";
import { reply, section, type Reply } from "../../message/reply.ts";
import type { Form } from "../../message/form.ts";
import type { Address, Plugin } from "../../plugins/api.ts";
import { BOT_USER_ID, checkView, type RecordedCall } from "../../../test/fixtures/slack/fake-slack-api.ts";
import { BOT_TOKEN, startSlackHarness, type SlackHarness } from "../../../test/fixtures/slack/harness.ts";
import {
  ALICE,
  appHomeOpenedBody,
  appMentionBody,
  blockActionsBody,
  blockSuggestionBody,
  directMessageBody,
  linkSharedBody,
  nextEventId,
  sendSigned,
  sign,
  SIGNING_SECRET,
  slashCommandBody,
  viewBlockActionsBody,
  viewClosedBody,
  viewSubmissionBody,
} from "../../../test/fixtures/slack/slack-requests.ts";
import { DOCS_HOST, testPlugin } from "../../../test/fixtures/slack/test-plugin.ts";
import { EXPIRED } from "../core/form-sessions.ts";
import { BACK_ACTION_ID } from "./render-modal.ts";
import { messageText } from "./message-text.ts";

const FORM = "application/x-www-form-urlencoded" as const;
const JSON_TYPE = "application/json" as const;

type Blocks = {
  type: string;
  text?: { text: string };
  fields?: unknown[];
  elements?: { value?: string; action_id: string; text?: { text: string }; url?: string }[];
}[];

let bot: SlackHarness;
let triggerCounter = 0;
const trigger = () => `1337.42.trigger${++triggerCounter}`;

/** Server-side order of acks and answer work, for the tests that prove an ack never waits behind an answer. */
const order: string[] = [];

interface Gate {
  /** Resolves when the command's answer work has started. */
  entered: Promise<void>;
  /** Lets the held answer finish. */
  release(): void;
  /** The command's side: called when it starts, then awaits `released`. */
  enter(): void;
  released: Promise<void>;
}
const gates = new Map<string, Gate>();

const SLOW_FORM: Form = {
  id: "slow-form",
  title: "Slow",
  pages: [{ title: "Note", fields: [{ name: "note", label: "Note", kind: "text", required: true }] }],
};

/** The addresses `remember` was asked from. */
const remembered: (Address | undefined)[] = [];

/** Hold the answer of `wait <name>` until the test calls release(). */
function gate(name: string): Gate {
  let enter!: () => void;
  let release!: () => void;
  const entered = new Promise<void>((resolve) => (enter = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const held: Gate = { entered, enter, released, release };
  gates.set(name, held);
  return held;
}

const timingPlugin: Plugin = {
  id: "slack-test-timing",
  register(api) {
    api.addCommand({
      name: "wait",
      phrases: ["wait"],
      summary: "An answer that waits until the test releases it.",
      usage: "wait <name>",
      handler: async (ctx) => {
        const held = gates.get(ctx.args)!;
        held.enter();
        await held.released;
        return reply(`${ctx.args} released`, section(`\`${ctx.args}\` released`));
      },
    });
    api.addCommand({
      name: "spin",
      phrases: ["spin"],
      summary: "An answer whose work is synchronous (CPU-bound, never yields).",
      usage: "spin <name>",
      handler: (ctx) => {
        order.push(`work:${ctx.args}`);
        return reply(`${ctx.args} spun`, section(`\`${ctx.args}\` spun`));
      },
    });
    api.addForm({
      id: "slow-form",
      open: () => SLOW_FORM,
      validate: () => ({}),
      submit: async (_form, values) => {
        if (values.note === "fail") throw new Error("the catalog is away");
        const held = gates.get(String(values.note));
        if (held) {
          held.enter();
          await held.released;
        }
        return reply(`Noted: ${String(values.note)}`);
      },
    });
    api.addCommand({
      name: "slow-form",
      phrases: ["slow form"],
      summary: "A one-page form whose submit waits for the test, or fails.",
      usage: "slow form",
      handler: () => ({ text: "", blocks: [], form: SLOW_FORM }),
    });
    api.addCommand({
      name: "remember",
      phrases: ["remember"],
      summary: "Keeps where it was asked, to post there later (as a job would).",
      usage: "remember",
      handler: (ctx) => {
        remembered.push(ctx.conversation.address);
        return reply("Working on it");
      },
    });
    api.addCommand({
      name: "many",
      phrases: ["many"],
      summary: "An answer of as many sections as asked for.",
      usage: "many <n>",
      handler: (ctx) =>
        reply(
          `${ctx.args} parts`,
          ...Array.from({ length: Number(ctx.args) }, (_, i) => section(`Part ${i + 1}`)),
        ),
    });
    api.addCommand({
      name: "broken",
      phrases: ["broken"],
      summary: "A command that breaks the Reply contract, so the adapter itself fails to answer.",
      usage: "broken",
      handler: () => undefined as unknown as Reply,
    });
  },
};

beforeAll(async () => {
  bot = await startSlackHarness({ plugins: [testPlugin, timingPlugin] });
  bot.api.addPerson({
    id: ALICE.userId,
    name: "alice",
    realName: "Alice Nakamura",
    email: "alice@acme.example",
  });
});

afterAll(async () => {
  await bot.close();
});

afterEach(() => {
  // Every call the bot made in the test was one Slack would have accepted.
  expect(bot.api.violations).toEqual([]);
  bot.api.reset();
});

const slash = (command: string, text: string, responseId: string, triggerId = trigger()) =>
  sendSigned(
    bot.server.url,
    slashCommandBody(command, text, bot.api.responseUrl(responseId), triggerId),
    FORM,
  );

const allText = (blocks: Blocks) => JSON.stringify(blocks);

/**
 * The answer posted to `responseId`, then every part "Show more" brings, pressed as a person would: each press
 * is a signed block_actions request from the message that carries the button, answered through its own
 * response_url. Returns each part's blocks.
 */
async function showAll(responseId: string, channel: string): Promise<Blocks[]> {
  const pages: Blocks[] = [(await bot.api.waitForResponse(responseId)).args.blocks as Blocks];
  for (let n = 1; n < 20; n++) {
    const last = pages.at(-1)!.at(-1)!;
    const more =
      last.type === "actions" ? last.elements!.find((e) => e.text?.text === "Show more") : undefined;
    if (!more) return pages;
    expect(JSON.parse(more.value!)).toEqual({ m: expect.any(String) });
    const id = `${responseId}-more${n}`;
    const sent = await sendSigned(
      bot.server.url,
      blockActionsBody({
        actionId: more.action_id,
        value: more.value!,
        label: "Show more",
        channel,
        messageTs: `1700000900.00010${n}`,
        triggerId: trigger(),
        responseUrl: bot.api.responseUrl(id),
      }),
      FORM,
    );
    expect(sent.status).toBe(200);
    const answer = await bot.api.waitForResponse(id);
    expect(answer.args).toMatchObject({ response_type: "in_channel", replace_original: false });
    pages.push(answer.args.blocks as Blocks);
  }
  throw new Error("Show more never reached the end of the answer");
}

describe("slash commands", () => {
  it("acks at once with an empty 200 and answers in the channel through response_url, as the catalog user", async () => {
    const sent = await slash("/callboard", "who owns payments-api", "r1");
    expect(sent.status).toBe(200);
    expect(sent.body).toBe("");
    const answer = await bot.api.waitFor((c) => c.responseId === "r1");
    expect(answer.args.response_type).toBe("in_channel");
    expect(answer.args.text).toBe("payments-api is owned by payments");
    const blocks = answer.args.blocks as Blocks;
    expect(blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "payments-api", emoji: true },
    });
    expect(blocks[1]!.text!.text).toBe(
      `*payments-api* is owned by <https://${DOCS_HOST}/catalog/group/payments|payments>`,
    );
    expect(blocks[1]!.fields).toHaveLength(2);
    // users.info gave the email, and the catalog's resolver mapped it.
    expect(allText(blocks)).toContain("Asked by user:default/alice");
    const buttons = blocks.find((b) => b.type === "actions")!.elements!;
    expect(buttons.map((b) => b.text?.text)).toEqual(["Show dependencies", "Open docs", "New service"]);
    expect(JSON.parse(buttons[0]!.value!)).toEqual({ c: "deps payments-api" });
    expect(buttons[1]!.url).toBe(`https://${DOCS_HOST}/docs/payments-api`);
  });

  it("routes an alias to the same command words", async () => {
    await slash("/whoowns", "payments-api", "r2");
    const answer = await bot.api.waitFor((c) => c.responseId === "r2");
    expect(answer.args.text).toBe("payments-api is owned by payments");
  });

  it("looks a person up once and caches the profile", async () => {
    await slash("/callboard", "who owns a", "r3a");
    await slash("/callboard", "who owns b", "r3b");
    await bot.api.waitFor((c) => c.responseId === "r3b");
    await bot.api.waitFor((c) => c.responseId === "r3a");
    expect(bot.api.callsTo("users.info")).toHaveLength(0); // cached since the first test
  });

  it("opens a modal with the command's trigger_id when the answer is a form", async () => {
    const triggerId = trigger();
    await slash("/scaffold", "", "r4", triggerId);
    const opened = await bot.api.waitFor((c) => c.method === "views.open");
    expect(opened.args.trigger_id).toBe(triggerId);
    const view = opened.args.view as {
      title: { text: string };
      blocks: { type: string; block_id?: string }[];
      private_metadata: string;
    };
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    expect(view.blocks.filter((b) => b.type === "input").map((b) => b.block_id)).toEqual([
      "name",
      "owner",
      "description",
    ]);
    // The view carries only the form session and its page; where the result goes is the session's.
    expect(JSON.parse(view.private_metadata)).toEqual({ s: expect.any(String), p: 0 });
  });

  it("keeps an answer far beyond Slack's limits inside them, and 'Show more' brings the rest to the end", async () => {
    await slash("/callboard", "big", "r5");
    const pages = await showAll("r5", "C0PLATFORM");
    expect(pages[0]).toHaveLength(50);
    // Every part is shown once, in order, across the pages: the fields, the 70 sections, the 300 links, the
    // 40 buttons (the stand-in checked 50 blocks, 3,000-char sections, 10 fields, button limits: afterEach).
    const shown = pages.flat();
    const text = allText(shown);
    expect(shown.flatMap((b) => b.fields ?? [])).toHaveLength(120);
    for (let i = 0; i < 70; i++) expect(text).toContain(`Section ${i}:`);
    expect(text.match(/\|Doc \d+>/g)).toHaveLength(300);
    const buttons = shown.flatMap((b) => (b.type === "actions" ? b.elements! : []));
    expect(buttons.filter((b) => b.text?.text !== "Show more")).toHaveLength(40);
    expect(buttons.filter((b) => b.text?.text === "Show more")).toHaveLength(pages.length - 1);
  });

  it("shows an answer of 200 sections 49 at a time, each part's 'Show more' bringing the next", async () => {
    await slash("/callboard", "many 200", "r6");
    const pages = await showAll("r6", "C0PLATFORM");
    expect(pages.map((p) => p.length)).toEqual([50, 50, 50, 50, 4]);
    const sections = pages.flat().filter((b) => b.type === "section");
    expect(sections.map((b) => b.text!.text)).toEqual(Array.from({ length: 200 }, (_, i) => `Part ${i + 1}`));
    // Only the last block of a cut part is the button, and the last part has none.
    for (const page of pages.slice(0, -1)) expect(page.at(-1)!.elements![0]!.text!.text).toBe("Show more");
    expect(allText(pages.at(-1)!)).not.toContain("Show more");
  });
});

describe("request authenticity", () => {
  const body = () =>
    appMentionBody(`<@${BOT_USER_ID}> who owns x`, { ts: "1700000001.000100", eventId: nextEventId() });

  it("refuses unsigned, badly signed and stale requests with 401 and does nothing", async () => {
    expect((await sendSigned(bot.server.url, body(), JSON_TYPE, { signature: null })).status).toBe(401);
    expect((await sendSigned(bot.server.url, body(), JSON_TYPE, { secret: "not-the-secret" })).status).toBe(
      401,
    );
    expect((await sendSigned(bot.server.url, body(), JSON_TYPE, { signature: "v0=deadbeef" })).status).toBe(
      401,
    );
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await sendSigned(bot.server.url, body(), JSON_TYPE, { timestamp: sixMinutesAgo })).status).toBe(
      401,
    );
    // A body altered after signing fails too.
    const timestamp = Math.floor(Date.now() / 1000);
    const { sign } = await import("../../../test/fixtures/slack/slack-requests.ts");
    const signature = sign(body(), timestamp);
    expect((await sendSigned(bot.server.url, body(), JSON_TYPE, { timestamp, signature })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 50));
    expect(bot.api.calls).toEqual([]);
  });

  it("answers Slack's url_verification challenge", async () => {
    const sent = await sendSigned(
      bot.server.url,
      JSON.stringify({
        token: "x",
        challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        type: "url_verification",
      }),
      JSON_TYPE,
    );
    expect(sent.status).toBe(200);
    expect(sent.body).toContain("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
  });

  it("never writes the bot token or the signing secret to the log", () => {
    const log = bot.logLines.join("");
    expect(log.length).toBeGreaterThan(0);
    expect(log).not.toContain(BOT_TOKEN);
    expect(log).not.toContain(SIGNING_SECRET);
  });
});

describe("mentions and direct messages", () => {
  it("answers a mention in its thread, with the mention removed wherever it is", async () => {
    const sent = await sendSigned(
      bot.server.url,
      appMentionBody(`who owns <@${BOT_USER_ID}> payments-api`, {
        ts: "1700000010.000200",
        threadTs: "1700000001.000100",
        eventId: nextEventId(),
      }),
      JSON_TYPE,
    );
    expect(sent.status).toBe(200);
    const posted = await bot.api.waitFor((c) => c.method === "chat.postMessage");
    expect(posted.args).toMatchObject({
      channel: "C0PLATFORM",
      thread_ts: "1700000001.000100",
      text: "payments-api is owned by payments",
    });
    expect(allText(posted.args.blocks as Blocks)).toContain("in thread 1700000001.000100");
  });

  it("starts a thread under a top-level mention", async () => {
    await sendSigned(
      bot.server.url,
      appMentionBody(`<@${BOT_USER_ID}> deps payments-api`, {
        ts: "1700000020.000300",
        eventId: nextEventId(),
      }),
      JSON_TYPE,
    );
    const posted = await bot.api.waitFor((c) => c.method === "chat.postMessage");
    expect(posted.args).toMatchObject({
      thread_ts: "1700000020.000300",
      text: "payments-api depends on ledger-db",
    });
  });

  it("processes a retried event once", async () => {
    const eventId = nextEventId();
    const body = appMentionBody(`<@${BOT_USER_ID}> deps retried-api`, { ts: "1700000030.000400", eventId });
    const first = await sendSigned(bot.server.url, body, JSON_TYPE);
    const retry = await sendSigned(bot.server.url, body, JSON_TYPE, { retryNum: 1 });
    const again = await sendSigned(bot.server.url, body, JSON_TYPE, { retryNum: 2 });
    expect([first.status, retry.status, again.status]).toEqual([200, 200, 200]);
    await bot.api.waitFor((c) => c.method === "chat.postMessage");
    // A different event afterwards proves the pipeline is idle before counting.
    await sendSigned(
      bot.server.url,
      appMentionBody(`<@${BOT_USER_ID}> deps marker`, { ts: "1700000031.000400", eventId: nextEventId() }),
      JSON_TYPE,
    );
    await bot.api.waitFor(
      (c) => c.method === "chat.postMessage" && c.args.text === "marker depends on ledger-db",
    );
    await bot.adapter.drain();
    expect(
      bot.api.callsTo("chat.postMessage").filter((c) => c.args.text === "retried-api depends on ledger-db"),
    ).toHaveLength(1);
  });

  it("answers a retried event whose first answer could not be delivered, exactly once", async () => {
    bot.api.failNext("chat.postMessage", "fatal_error");
    const eventId = nextEventId();
    const body = appMentionBody(`<@${BOT_USER_ID}> deps undelivered-api`, {
      ts: "1700000032.000400",
      eventId,
    });
    expect((await sendSigned(bot.server.url, body, JSON_TYPE)).status).toBe(200);
    await bot.api.waitFor((c) => c.method === "chat.postMessage (failed: fatal_error)");
    await bot.adapter.drain();
    // Slack delivers the event again (its retry schedule); this time the answer goes out, once.
    expect((await sendSigned(bot.server.url, body, JSON_TYPE, { retryNum: 1 })).status).toBe(200);
    await bot.adapter.drain();
    expect((await sendSigned(bot.server.url, body, JSON_TYPE, { retryNum: 2 })).status).toBe(200);
    await bot.adapter.drain();
    expect(
      bot.api
        .callsTo("chat.postMessage")
        .filter((c) => c.args.text === "undelivered-api depends on ledger-db"),
    ).toHaveLength(1);
  });

  it("answers a direct message and ignores bot messages and edits", async () => {
    await sendSigned(
      bot.server.url,
      directMessageBody("deps from-a-bot", {
        ts: "1700000040.000100",
        eventId: nextEventId(),
        botId: "B0OTHER",
      }),
      JSON_TYPE,
    );
    await sendSigned(
      bot.server.url,
      directMessageBody("deps edited", {
        ts: "1700000040.000200",
        eventId: nextEventId(),
        subtype: "message_changed",
      }),
      JSON_TYPE,
    );
    await sendSigned(
      bot.server.url,
      directMessageBody("deps &lt;payments-api&gt;", { ts: "1700000040.000300", eventId: nextEventId() }),
      JSON_TYPE,
    );
    const posted = await bot.api.waitFor((c) => c.method === "chat.postMessage");
    // The command saw "<payments-api>"; the fallback text escapes it again for Slack.
    expect(posted.args).toMatchObject({
      channel: "D0ALICEDM1",
      text: "&lt;payments-api&gt; depends on ledger-db",
    });
    expect(posted.args.thread_ts).toBeUndefined();
    await bot.adapter.drain();
    expect(bot.api.callsTo("chat.postMessage")).toHaveLength(1);
  });

  it("offers a button for a form where there is no trigger", async () => {
    await sendSigned(
      bot.server.url,
      appMentionBody(`<@${BOT_USER_ID}> scaffold`, { ts: "1700000050.000100", eventId: nextEventId() }),
      JSON_TYPE,
    );
    const posted = await bot.api.waitFor((c) => c.method === "chat.postMessage");
    const button = (posted.args.blocks as Blocks).at(-1)!.elements![0]!;
    // The form's session started with the mention; the button opens it where the person presses it.
    const value = JSON.parse(button.value!) as { f: string; s: string };
    expect(value).toEqual({ f: "new-service", s: expect.any(String) });
    const triggerId = trigger();
    await sendSigned(
      bot.server.url,
      blockActionsBody({
        actionId: button.action_id,
        value: button.value!,
        label: "Open",
        channel: "C0PLATFORM",
        messageTs: "1700000050.000200",
        threadTs: "1700000050.000100",
        triggerId,
        responseUrl: bot.api.responseUrl("fb1"),
      }),
      FORM,
    );
    const opened = await bot.api.waitFor((c) => c.method === "views.open");
    expect(opened.args.trigger_id).toBe(triggerId);
    const view = opened.args.view as { private_metadata: string };
    expect(JSON.parse(view.private_metadata)).toEqual({ s: value.s, p: 0 });
  });
});

describe("help and answers to commands it does not know", () => {
  it("go to the asker only after a slash command, whatever the channel", async () => {
    for (const [text, id] of [
      ["frobnicate the ledger", "v1"],
      ["help", "v2"],
      ["", "v3"],
    ] as const) {
      await slash("/callboard", text, id);
      const answer = await bot.api.waitForResponse(id);
      expect(answer.args.response_type).toBe("ephemeral");
    }
    expect((await bot.api.waitForResponse("v1")).args.text).toContain(
      `I don't know the command "frobnicate the ledger"`,
    );
  });

  it("go to the asker only, in the thread, after a mention", async () => {
    await sendSigned(
      bot.server.url,
      appMentionBody(`<@${BOT_USER_ID}> frobnicate`, { ts: "1700000055.000100", eventId: nextEventId() }),
      JSON_TYPE,
    );
    const shown = await bot.api.waitFor((c) => c.method === "chat.postEphemeral");
    expect(shown.args).toMatchObject({
      channel: "C0PLATFORM",
      user: ALICE.userId,
      thread_ts: "1700000055.000100",
    });
    expect(shown.args.text).toContain("I don't know the command");
    await bot.adapter.drain();
    expect(bot.api.callsTo("chat.postMessage")).toEqual([]);
  });

  it("are an ordinary message in a DM, which is private already and where an ephemeral one would vanish", async () => {
    await sendSigned(
      bot.server.url,
      directMessageBody("help", { ts: "1700000056.000100", eventId: nextEventId() }),
      JSON_TYPE,
    );
    const shown = await bot.api.waitFor((c) => c.method === "chat.postMessage");
    expect(shown.args).toMatchObject({ channel: "D0ALICEDM1" });
    expect(shown.args.text).toContain("Callboard commands");
    await bot.adapter.drain();
    expect(bot.api.callsTo("chat.postEphemeral")).toEqual([]);
  });
});

describe("buttons", () => {
  it("runs a button's command and answers in the message's thread through the interaction's response_url", async () => {
    const sent = await sendSigned(
      bot.server.url,
      blockActionsBody({
        actionId: "cb_0",
        value: JSON.stringify({ c: "deps payments-api" }),
        label: "Show dependencies",
        channel: "C0PLATFORM",
        messageTs: "1700000060.000100",
        triggerId: trigger(),
        responseUrl: bot.api.responseUrl("b1"),
      }),
      FORM,
    );
    expect(sent.status).toBe(200);
    const answer = await bot.api.waitForResponse("b1");
    expect(answer.args).toMatchObject({
      response_type: "in_channel",
      replace_original: false,
      thread_ts: "1700000060.000100",
      text: "payments-api depends on ledger-db",
    });
    await bot.adapter.drain();
    expect(bot.api.callsTo("chat.postMessage")).toEqual([]);
  });

  it("replaces an ephemeral answer in place through response_url", async () => {
    await sendSigned(
      bot.server.url,
      blockActionsBody({
        actionId: "cb_0",
        value: JSON.stringify({ c: "deps payments-api" }),
        label: "Show dependencies",
        channel: "C0PLATFORM",
        messageTs: "1700000061.000100",
        ephemeral: true,
        triggerId: trigger(),
        responseUrl: bot.api.responseUrl("b2"),
      }),
      FORM,
    );
    const answer = await bot.api.waitFor((c) => c.responseId === "b2");
    expect(answer.args).toMatchObject({ replace_original: true, text: "payments-api depends on ledger-db" });
  });

  it("does nothing for a link button but ack it", async () => {
    const sent = await sendSigned(
      bot.server.url,
      blockActionsBody({
        actionId: "cb_1",
        label: "Open docs",
        channel: "C0PLATFORM",
        messageTs: "1700000062.000100",
        triggerId: trigger(),
        responseUrl: bot.api.responseUrl("b3"),
      }),
      FORM,
    );
    expect(sent.status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(bot.api.calls.filter((c) => c.method !== "users.info")).toEqual([]);
  });
});

describe("answer work never holds up an ack", () => {
  /** Answers delivered with this text, by chat.postMessage (mentions, DMs) or response_url (buttons). */
  const posted = (text: string) =>
    bot.api.calls.filter(
      (c) => (c.method === "chat.postMessage" || c.method === "response_url") && c.args.text === text,
    ).length;
  const button = (command: string, messageTs: string) =>
    blockActionsBody({
      actionId: "cb_0",
      value: JSON.stringify({ c: command }),
      label: "Run",
      channel: "C0PLATFORM",
      messageTs,
      triggerId: trigger(),
      responseUrl: bot.api.responseUrl(`held-${messageTs}`),
    });

  it.each([
    {
      first: "a mention",
      send: (name: string) =>
        sendSigned(
          bot.server.url,
          appMentionBody(`<@${BOT_USER_ID}> wait ${name}`, {
            ts: "1700000063.000100",
            eventId: nextEventId(),
          }),
          JSON_TYPE,
        ),
    },
    {
      first: "a button",
      send: (name: string) => sendSigned(bot.server.url, button(`wait ${name}`, "1700000064.000100"), FORM),
    },
  ])(
    "acks and answers a button and a DM while $first's answer is still being worked on; drain waits for it",
    async ({ first, send }) => {
      const name = `held-${first.replace(" ", "-")}`;
      const held = gate(name);
      expect((await send(name)).status).toBe(200);
      await held.entered;

      // Sent while the first answer is held: both are acked, and answered, before it is posted.
      const click = await sendSigned(
        bot.server.url,
        button(`deps ${name}-button`, "1700000065.000100"),
        FORM,
      );
      expect(click.status).toBe(200);
      const dm = await sendSigned(
        bot.server.url,
        directMessageBody(`deps ${name}-dm`, { ts: "1700000066.000100", eventId: nextEventId() }),
        JSON_TYPE,
      );
      expect(dm.status).toBe(200);
      await bot.api.waitFor((c) => c.args.text === `${name}-button depends on ledger-db`);
      await bot.api.waitFor((c) => c.args.text === `${name}-dm depends on ledger-db`);
      let drained = false;
      const draining = bot.adapter.drain().then(() => (drained = true));
      // drain() must wait for the held answer: give it a few event-loop turns to resolve early if it would.
      for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
      expect(posted(`${name} released`)).toBe(0);
      expect(drained).toBe(false);

      held.release();
      await draining;
      // drain() resolved only once the held answer was posted; each request got exactly one answer.
      expect(posted(`${name} released`)).toBe(1);
      expect(posted(`${name}-button depends on ledger-db`)).toBe(1);
      expect(posted(`${name}-dm depends on ledger-db`)).toBe(1);
    },
  );

  it.each([
    {
      first: "a mention",
      body: () =>
        appMentionBody(`<@${BOT_USER_ID}> spin one`, { ts: "1700000067.000100", eventId: nextEventId() }),
      firstType: JSON_TYPE,
      second: "a button",
      secondBody: () => button("deps two", "1700000068.000100"),
      secondType: FORM,
      secondText: "two depends on ledger-db",
    },
    {
      first: "a button",
      body: () => button("spin one", "1700000069.000100"),
      firstType: FORM,
      second: "a DM",
      secondBody: () => directMessageBody("deps three", { ts: "1700000070.000100", eventId: nextEventId() }),
      secondType: JSON_TYPE,
      secondText: "three depends on ledger-db",
    },
  ])(
    "acks $second read in the same turn as $first before the first one's synchronous answer work starts",
    async ({ body, firstType, secondBody, secondType, secondText }) => {
      // The bot's own route, mounted on a second server that notes when each response is written.
      const tagged = await startHttpServer({
        routes: bot.adapter.routes.map((route) => ({
          ...route,
          handler: (req, res, ctx) => {
            const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
            res.end = ((...args: unknown[]) => {
              order.push(`ack:${String(req.headers["x-test-request"])}`);
              return end(...args);
            }) as typeof res.end;
            return route.handler(req, res, ctx);
          },
        })),
        port: 0,
        host: "127.0.0.1",
        log: bot.log,
      });
      const a = await RawConnection.open(tagged.url);
      const b = await RawConnection.open(tagged.url);
      try {
        order.length = 0;
        // Both requests are on the wire before the bot reads either, so one poll of the event loop reads both.
        a.write(signedRequest(body(), firstType, "first"));
        b.write(signedRequest(secondBody(), secondType, "second"));
        expect((await a.response()).status).toBe(200);
        expect((await b.response()).status).toBe(200);
        await bot.api.waitFor((c) => c.args.text === "one spun");
        await bot.api.waitFor((c) => c.args.text === secondText);
        await bot.adapter.drain();
        expect(order.filter((o) => o.startsWith("work:"))).toEqual(["work:one"]);
        expect(order.indexOf("ack:second")).toBeGreaterThanOrEqual(0);
        expect(order.indexOf("ack:second")).toBeLessThan(order.indexOf("work:one"));
        expect(posted("one spun")).toBe(1);
        expect(posted(secondText)).toBe(1);
      } finally {
        a.close();
        b.close();
        await tagged.close();
      }
    },
  );

  it("still tells the person when an answer fails: in the channel for a mention, through its response_url for a button", async () => {
    await sendSigned(
      bot.server.url,
      appMentionBody(`<@${BOT_USER_ID}> broken`, { ts: "1700000071.000100", eventId: nextEventId() }),
      JSON_TYPE,
    );
    await sendSigned(bot.server.url, button("broken", "1700000072.000100"), FORM);
    const inChannel = await bot.api.waitFor((c) => c.method === "chat.postEphemeral");
    expect(inChannel.args).toMatchObject({
      channel: "C0PLATFORM",
      user: ALICE.userId,
      thread_ts: "1700000071.000100",
      text: "Something went wrong (answering a mention). It has been logged; try again in a moment.",
    });
    const toThem = await bot.api.waitForResponse("held-1700000072.000100");
    expect(toThem.args).toMatchObject({
      response_type: "ephemeral",
      replace_original: false,
      text: "Something went wrong (running a button). It has been logged; try again in a moment.",
    });
    await bot.adapter.drain();
  });
});

describe("a two-page form as a modal", () => {
  let opened: RecordedCall;

  const submit = async (
    view: Record<string, unknown>,
    values: Record<string, Record<string, Record<string, unknown>>>,
  ) => {
    const sent = await sendSigned(
      bot.server.url,
      viewSubmissionBody({ view, values, triggerId: trigger() }),
      FORM,
    );
    expect(sent.status).toBe(200);
    return sent.body
      ? (JSON.parse(sent.body) as {
          response_action?: string;
          errors?: Record<string, string>;
          view?: Record<string, unknown>;
        })
      : {};
  };
  const page1 = (name: string) => ({
    name: { value: { type: "plain_text_input", value: name } },
    owner: {
      "pick|owner|group": {
        type: "external_select",
        selected_option: { text: { type: "plain_text", text: "payments" }, value: "group:default/payments" },
      },
    },
    description: { value: { type: "plain_text_input", value: null } },
  });

  it("opens the form from a button with that interaction's trigger_id", async () => {
    const triggerId = trigger();
    await sendSigned(
      bot.server.url,
      blockActionsBody({
        actionId: "cb_2",
        value: JSON.stringify({ f: "new-service", a: "" }),
        label: "New service",
        channel: "C0PLATFORM",
        messageTs: "1700000070.000100",
        threadTs: "1700000069.000100",
        triggerId,
        responseUrl: bot.api.responseUrl("f1"),
      }),
      FORM,
    );
    opened = await bot.api.waitFor((c) => c.method === "views.open");
    expect(opened.args.trigger_id).toBe(triggerId);
    const meta = JSON.parse((opened.args.view as { private_metadata: string }).private_metadata) as Record<
      string,
      unknown
    >;
    expect(meta).toEqual({ s: expect.any(String), p: 0 });
  });

  it("offers owners as the person types (block_suggestion)", async () => {
    const view = opened.args.view as Record<string, unknown>;
    const sent = await sendSigned(
      bot.server.url,
      blockSuggestionBody({ actionId: "pick|owner|group", blockId: "owner", value: "pay", view }),
      FORM,
    );
    expect(sent.status).toBe(200);
    expect(JSON.parse(sent.body)).toEqual({
      options: [
        {
          text: { type: "plain_text", text: "payments" },
          value: "group:default/payments",
          description: { type: "plain_text", text: "Payments team" },
        },
      ],
    });
  });

  it("returns field errors keyed by block_id", async () => {
    const answer = await submit(opened.args.view as Record<string, unknown>, page1("Payments API!"));
    expect(answer).toEqual({
      response_action: "errors",
      errors: { name: '"Payments API!" is not a valid name: use lower-case letters, digits and dashes.' },
    });
  });

  it("shows page two in the same view, then closes it and posts the result into the originating thread through the button's response_url", async () => {
    const next = await submit(opened.args.view as Record<string, unknown>, page1("payments-api"));
    // One view, updated in place: Back is the view's own button, and closing the view cancels the form.
    expect(next.response_action).toBe("update");
    expect(checkView("update", next.view)).toEqual([]);
    const view2 = next.view as {
      blocks: { type: string; block_id?: string; element?: { type: string } }[];
      submit: { text: string };
    };
    expect(view2.submit.text).toBe("Create");
    expect(
      view2.blocks.filter((b) => b.type === "input").map((b) => `${b.block_id}:${b.element?.type}`),
    ).toEqual([
      "language:static_select",
      "replicas:number_input",
      "public:checkboxes",
      "tags:multi_static_select",
    ]);
    const page2 = (replicas: string) => ({
      language: {
        value: {
          type: "static_select",
          selected_option: { text: { type: "plain_text", text: "Go" }, value: "go" },
        },
      },
      replicas: { value: { type: "number_input", value: replicas } },
      public: {
        value: {
          type: "checkboxes",
          selected_options: [{ text: { type: "plain_text", text: "Public API" }, value: "true" }],
        },
      },
      tags: {
        value: {
          type: "multi_static_select",
          selected_options: [{ text: { type: "plain_text", text: "PCI" }, value: "pci" }],
        },
      },
    });
    expect(await submit(next.view!, page2("40"))).toEqual({
      response_action: "errors",
      errors: { replicas: "Replicas must be between 1 and 10." },
    });
    expect(await submit(next.view!, page2("3"))).toEqual({ response_action: "clear" });
    const posted = await bot.api.waitForResponse("f1");
    expect(posted.args).toMatchObject({
      response_type: "in_channel",
      replace_original: false,
      thread_ts: "1700000069.000100",
      text: "Created payments-api",
    });
    expect(allText(posted.args.blocks as Blocks)).toContain(
      'Created *payments-api* (go, 3 replicas, public: true, tags: [\\"pci\\"]) owned by group:default/payments for user:default/alice',
    );
  });

  it("tells the person when the form's state is gone", async () => {
    const view = {
      ...(opened.args.view as Record<string, unknown>),
      private_metadata: JSON.stringify({ s: "no-such-state", p: 0 }),
    };
    expect(await submit(view, page1("x"))).toEqual({});
    const posted = await bot.api.waitFor((c) => c.method === "chat.postMessage");
    expect(posted.args).toMatchObject({ channel: ALICE.userId, text: EXPIRED });
  });

  it("goes Back with what was typed on both pages kept, and Cancel ends the form so it cannot be submitted", async () => {
    await slash("/scaffold", "", "back1");
    const first = (await bot.api.waitFor((c) => c.method === "views.open")).args.view as Record<
      string,
      unknown
    >;
    const second = await submit(first, page1("ledger-api"));
    expect(second.response_action).toBe("update");
    const page2 = {
      language: {
        value: { type: "static_select", selected_option: { value: "go" } },
      },
      replicas: { value: { type: "number_input", value: "4" } },
    };

    // Back, from inside the second page's view: the view is updated in place to page one, as it was filled.
    const back = await sendSigned(
      bot.server.url,
      viewBlockActionsBody({
        view: { ...second.view!, id: "V0VIEW7", hash: "1700000401.h4sh" },
        values: page2,
        actionId: BACK_ACTION_ID,
        value: "back",
        triggerId: trigger(),
      }),
      FORM,
    );
    expect(back.status).toBe(200);
    const updated = await bot.api.waitFor((c) => c.method === "views.update");
    expect(updated.args).toMatchObject({ view_id: "V0VIEW7", hash: "1700000401.h4sh" });
    const shown = updated.args.view as { blocks: Blocks; private_metadata: string };
    expect(JSON.parse(shown.private_metadata)).toMatchObject({ p: 0 });
    const inputs = Object.fromEntries(
      (shown.blocks as (Blocks[number] & { block_id?: string; element?: Record<string, unknown> })[])
        .filter((b) => b.type === "input")
        .map((b) => [b.block_id, b.element]),
    );
    expect(inputs.name).toMatchObject({ initial_value: "ledger-api" });
    expect(inputs.owner).toMatchObject({ initial_option: { value: "group:default/payments" } });
    expect(allText(shown.blocks)).not.toContain(BACK_ACTION_ID);

    // Next again: page two comes back with its own answers from before Back.
    const again = await submit(shown as unknown as Record<string, unknown>, page1("ledger-api"));
    expect(again.response_action).toBe("update");
    const kept = JSON.stringify(again.view);
    expect(kept).toContain('"initial_option":{"text":{"type":"plain_text","text":"Go"},"value":"go"}');
    expect(kept).toContain('"initial_value":"4"');

    // Cancel: Slack says the view was closed; the session ends, and a copy of the view cannot submit it.
    const closed = await sendSigned(bot.server.url, viewClosedBody({ view: again.view! }), FORM);
    expect(closed.status).toBe(200);
    await bot.adapter.drain();
    expect(await submit(again.view!, page2)).toEqual({});
    const told = await bot.api.waitFor((c) => c.method === "chat.postMessage");
    expect(told.args).toMatchObject({ channel: ALICE.userId, text: EXPIRED });
    await bot.adapter.drain();
    expect(bot.api.calls.some((c) => c.responseId === "back1")).toBe(false);
  });
});

describe("a form whose submit is slow or fails", () => {
  const note = (text: string) => ({ note: { value: { type: "plain_text_input", value: text } } });
  const openSlowForm = async (responseId: string) => {
    await slash("/callboard", "slow form", responseId);
    return (await bot.api.waitFor((c) => c.method === "views.open")).args.view as Record<string, unknown>;
  };
  const submitNote = (view: Record<string, unknown>, text: string) =>
    sendSigned(bot.server.url, viewSubmissionBody({ view, values: note(text), triggerId: trigger() }), FORM);

  it("closes the modal within Slack's three seconds and posts the result when the submit is done", async () => {
    const view = await openSlowForm("slow1");
    const held = gate("slow-note");
    const sent = await submitNote(view, "slow-note");
    // Answered while the submit is still held: the modal closes, nothing is lost.
    expect(JSON.parse(sent.body)).toEqual({ response_action: "clear" });
    await held.entered;
    held.release();
    const result = await bot.api.waitForResponse("slow1");
    expect(result.args).toMatchObject({ response_type: "in_channel", text: "Noted: slow-note" });
  });

  it("keeps the modal open with the failure on the page, and submits once the cause is gone", async () => {
    const view = await openSlowForm("fail1");
    const failed = JSON.parse((await submitNote(view, "fail")).body) as { errors?: Record<string, string> };
    expect(failed).toEqual({
      response_action: "errors",
      errors: { note: expect.stringContaining("Something went wrong (submitting Slow)") },
    });
    expect(JSON.stringify(failed)).not.toContain("the catalog is away");
    expect(JSON.parse((await submitNote(view, "fine")).body)).toEqual({ response_action: "clear" });
    expect((await bot.api.waitForResponse("fail1")).args.text).toBe("Noted: fine");
  });
});

describe("posting later where a command was asked", () => {
  it("gives a command the address of its conversation, and a later post there lands in the same thread", async () => {
    remembered.length = 0;
    await sendSigned(
      bot.server.url,
      appMentionBody(`<@${BOT_USER_ID}> remember`, {
        ts: "1700000095.000200",
        threadTs: "1700000095.000100",
        eventId: nextEventId(),
      }),
      JSON_TYPE,
    );
    await slash("/callboard", "remember", "later1");
    await bot.api.waitForResponse("later1");
    await bot.adapter.drain();
    expect(remembered).toEqual([
      { adapter: "slack", channel: "C0PLATFORM", thread: "1700000095.000100" },
      { adapter: "slack", channel: "C0PLATFORM" },
    ]);
    // Stored as a job would keep it, and used after the command's answer is long gone.
    const address = JSON.parse(JSON.stringify(remembered[0])) as Address;
    const ref = await bot.adapter.post(address, reply("Done: the thing you asked for"));
    const posted = await bot.api.waitFor(
      (c) => c.method === "chat.postMessage" && c.args.text === "Done: the thing you asked for",
    );
    expect(posted.args).toMatchObject({ channel: "C0PLATFORM", thread_ts: "1700000095.000100" });
    expect(ref.address).toEqual(address);
  });
});

describe("link previews and App Home", () => {
  it("unfurls Callboard catalog links and leaves other links alone", async () => {
    await sendSigned(
      bot.server.url,
      linkSharedBody(
        [`https://${DOCS_HOST}/catalog/component/payments-api`, "https://example.com/unrelated"],
        {
          channel: "C0PLATFORM",
          messageTs: "1700000080.000100",
          eventId: nextEventId(),
        },
      ),
      JSON_TYPE,
    );
    const unfurl = await bot.api.waitFor((c) => c.method === "chat.unfurl");
    const unfurls = unfurl.args.unfurls as Record<string, { blocks: Blocks }>;
    expect(Object.keys(unfurls)).toEqual([`https://${DOCS_HOST}/catalog/component/payments-api`]);
    expect(allText(unfurls[`https://${DOCS_HOST}/catalog/component/payments-api`]!.blocks)).toContain(
      "Owned by *payments*",
    );
  });

  it("publishes the Home tab with the person's teams", async () => {
    await sendSigned(bot.server.url, appHomeOpenedBody(nextEventId()), JSON_TYPE);
    const published = await bot.api.waitFor((c) => c.method === "views.publish");
    expect(published.args.user_id).toBe(ALICE.userId);
    expect(allText((published.args.view as { blocks: Blocks }).blocks)).toContain(
      "user:default/alice is in *payments*",
    );
  });

  it("publishes a Home tab past 100 blocks in parts, Show more publishing the next part in its place", async () => {
    const big = await startSlackHarness({
      plugins: [
        {
          id: "big-home",
          register: (api) =>
            api.addHomeSection({
              id: "everything",
              render: async () =>
                reply("All of it", ...Array.from({ length: 150 }, (_, i) => section(`Item ${i + 1}`))),
            }),
        },
      ],
    });
    try {
      await sendSigned(big.server.url, appHomeOpenedBody(nextEventId()), JSON_TYPE);
      const first = (await big.api.waitFor((c) => c.method === "views.publish")).args.view as {
        blocks: Blocks;
      };
      expect(first.blocks).toHaveLength(100);
      const more = first.blocks.at(-1)!.elements![0]!;
      expect(more.text!.text).toBe("Show more");
      big.api.reset();
      const pressed = await sendSigned(
        big.server.url,
        viewBlockActionsBody({
          view: { type: "home", id: "V0HOME1" },
          values: {},
          actionId: more.action_id,
          value: more.value!,
          triggerId: trigger(),
        }),
        FORM,
      );
      expect(pressed.status).toBe(200);
      const next = await big.api.waitFor((c) => c.method === "views.publish");
      expect(next.args.user_id).toBe(ALICE.userId);
      const rest = (next.args.view as { blocks: Blocks }).blocks;
      expect(rest.map((b) => b.text!.text)).toEqual(Array.from({ length: 51 }, (_, i) => `Item ${i + 100}`));
      expect(big.api.violations).toEqual([]);
    } finally {
      await big.close();
    }
  });

  it("ignores app_home_opened for the Messages tab", async () => {
    await sendSigned(bot.server.url, appHomeOpenedBody(nextEventId(), ALICE, "messages"), JSON_TYPE);
    await new Promise((r) => setTimeout(r, 50));
    expect(bot.api.callsTo("views.publish")).toEqual([]);
  });
});

describe("Web API failures", () => {
  it("waits out a 429's Retry-After and delivers the answer once", async () => {
    bot.api.rateLimit("chat.postMessage", 1);
    await sendSigned(
      bot.server.url,
      appMentionBody(`<@${BOT_USER_ID}> deps limited`, { ts: "1700000090.000100", eventId: nextEventId() }),
      JSON_TYPE,
    );
    const posted = await bot.api.waitFor((c) => c.method === "chat.postMessage", 10_000);
    expect(posted.args.text).toBe("limited depends on ledger-db");
    expect(bot.api.calls.map((c) => c.method).filter((m) => m.startsWith("chat.postMessage"))).toEqual([
      "chat.postMessage (rate limited)",
      "chat.postMessage",
    ]);
  });
});

describe("messageText", () => {
  it("removes the bot's mention anywhere and decodes Slack's escapes and links", () => {
    expect(messageText("<@U0CALLBOT> who owns payments-api", "U0CALLBOT")).toBe("who owns payments-api");
    expect(messageText("who owns <@U0CALLBOT|callboard> x", "U0CALLBOT")).toBe("who owns x");
    expect(messageText("show <https://x.test/a?b=1&amp;c=2|x.test/a>", "U0CALLBOT")).toBe(
      "show https://x.test/a?b=1&c=2",
    );
    expect(messageText("search a &amp; b &lt;c&gt;", "U0CALLBOT")).toBe("search a & b <c>");
    expect(messageText("team <@U0BOB0001>", "U0CALLBOT")).toBe("team <@U0BOB0001>");
  });
});

describe("with the database-backed ledger and form sessions (SQLite file, two replicas, a restart)", () => {
  it("answers a retry once even when it reaches another replica or a restarted one, and finishes a form across replicas", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { openDatabase } = await import("../../db/open-database.ts");
    const { PrismaEventLedger } = await import("../../db/event-ledger.ts");
    const { PrismaFormSessionStore } = await import("../../db/form-session-store.ts");
    const { PrismaContinuationStore } = await import("../../db/continuation-store.ts");
    const { FakeSlackApi } = await import("../../../test/fixtures/slack/fake-slack-api.ts");
    const dir = mkdtempSync(join(tmpdir(), "callboard-slack-"));
    const api = new FakeSlackApi(BOT_TOKEN);
    await api.start();
    api.addPerson({ id: ALICE.userId, name: "alice", email: "alice@acme.example" });
    const url = `file:${join(dir, "callboard.db")}`;
    const replica = async () => {
      const db = await openDatabase({ url });
      const harness = await startSlackHarness({
        plugins: [testPlugin],
        api,
        ledger: new PrismaEventLedger(db.prisma),
        formSessions: new PrismaFormSessionStore(db.prisma),
        continuations: new PrismaContinuationStore(db.prisma),
      });
      return { harness, close: async () => (await harness.close(), await db.close()) };
    };
    const a = await replica();
    const b = await replica();
    try {
      const eventId = nextEventId();
      const body = appMentionBody(`<@${BOT_USER_ID}> deps shared-api`, { ts: "1700000100.000100", eventId });
      expect((await sendSigned(a.harness.server.url, body, JSON_TYPE)).status).toBe(200);
      await api.waitFor(
        (c) => c.method === "chat.postMessage" && c.args.text === "shared-api depends on ledger-db",
      );
      expect((await sendSigned(b.harness.server.url, body, JSON_TYPE, { retryNum: 1 })).status).toBe(200);

      // Replica A restarts: the ledger is in the file, not in A's memory.
      await a.close();
      const restarted = await replica();
      expect((await sendSigned(restarted.harness.server.url, body, JSON_TYPE, { retryNum: 2 })).status).toBe(
        200,
      );

      // A form opened through one replica is finished through the other: its state is in the database.
      await sendSigned(
        restarted.harness.server.url,
        slashCommandBody("/scaffold", "", api.responseUrl("db1"), trigger()),
        FORM,
      );
      const opened = await api.waitFor((c) => c.method === "views.open");
      const view = opened.args.view as Record<string, unknown>;
      const sent = await sendSigned(
        b.harness.server.url,
        viewSubmissionBody({
          view,
          triggerId: trigger(),
          values: {
            name: { value: { type: "plain_text_input", value: "ledger-api" } },
            owner: {
              "pick|owner|group": {
                type: "external_select",
                selected_option: { value: "group:default/payments" },
              },
            },
          },
        }),
        FORM,
      );
      expect(JSON.parse(sent.body)).toMatchObject({ response_action: "update" });

      // A marker event proves both replicas are idle before counting.
      await sendSigned(
        b.harness.server.url,
        appMentionBody(`<@${BOT_USER_ID}> deps marker2`, { ts: "1700000101.000100", eventId: nextEventId() }),
        JSON_TYPE,
      );
      await api.waitFor((c) => c.args.text === "marker2 depends on ledger-db");
      await Promise.all([b.harness.adapter.drain(), restarted.harness.adapter.drain()]);
      expect(
        api.callsTo("chat.postMessage").filter((c) => c.args.text === "shared-api depends on ledger-db"),
      ).toHaveLength(1);
      expect(api.violations).toEqual([]);
      await restarted.close();
    } finally {
      await b.close();
      await api.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/* ------------------------------------------------------------------ raw HTTP, several requests in one tick */

/** A kept-alive connection to the bot's server on which a test writes requests itself. */
class RawConnection {
  private buffer = "";
  private wake?: () => void;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.buffer += chunk;
      this.wake?.();
    });
  }

  static async open(baseUrl: string): Promise<RawConnection> {
    const { hostname, port } = new URL(baseUrl);
    const socket = connect(Number(port), hostname);
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    const connection = new RawConnection(socket);
    // A first answered request proves the server has accepted this connection and is reading it.
    connection.write("GET /healthz HTTP/1.1\r\nHost: callboard.test\r\n\r\n");
    expect((await connection.response()).status).toBe(200);
    return connection;
  }

  write(request: string): void {
    this.socket.write(request);
  }

  /** The next whole response on this connection (Content-Length or chunked). */
  async response(): Promise<{ status: number; body: string }> {
    for (;;) {
      const parsed = parseResponse(this.buffer);
      if (parsed) {
        this.buffer = this.buffer.slice(parsed.length);
        return { status: parsed.status, body: parsed.body };
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** One whole HTTP/1.1 response at the start of `text` (ASCII bodies only), or undefined if more is to come. */
function parseResponse(text: string): { status: number; body: string; length: number } | undefined {
  const head = text.indexOf("\r\n\r\n");
  if (head < 0) return undefined;
  const headers = text.slice(0, head);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1]);
  let at = head + 4;
  if (!/\r\ntransfer-encoding: *chunked/i.test(headers)) {
    const end = at + Number(/\r\ncontent-length: *(\d+)/i.exec(headers)?.[1] ?? 0);
    return text.length >= end ? { status, body: text.slice(at, end), length: end } : undefined;
  }
  let body = "";
  for (;;) {
    const line = text.indexOf("\r\n", at);
    if (line < 0) return undefined;
    const size = parseInt(text.slice(at, line), 16);
    const end = line + 2 + size + 2;
    if (text.length < end) return undefined;
    if (size === 0) return { status, body, length: end };
    body += text.slice(line + 2, line + 2 + size);
    at = end;
  }
}

/** A signed Slack request as raw HTTP/1.1, tagged so the server side can tell which one it answered. */
function signedRequest(body: string, contentType: string, tag: string): string {
  const timestamp = Math.floor(Date.now() / 1000);
  return [
    "POST /slack/events HTTP/1.1",
    "Host: callboard.test",
    `Content-Type: ${contentType}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Slack-Request-Timestamp: ${timestamp}`,
    `X-Slack-Signature: ${sign(body, timestamp)}`,
    `X-Test-Request: ${tag}`,
    "",
    body,
  ].join("\r\n");
}
