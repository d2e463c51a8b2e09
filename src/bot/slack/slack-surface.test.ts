import { connect, type Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startHttpServer } from "../../app/http-server.ts";
import { reply, section, type Reply } from "../../message/reply.ts";
import type { Plugin } from "../../plugins/api.ts";
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
  viewSubmissionBody,
} from "../../../test/fixtures/slack/slack-requests.ts";
import { DOCS_HOST, testPlugin } from "../../../test/fixtures/slack/test-plugin.ts";
import { messageText } from "./slack-surface.ts";

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
    api.addCommand({
      name: "broken",
      phrases: ["broken"],
      summary: "A command that breaks the Reply contract, so the surface itself fails to answer.",
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
    expect(JSON.parse(view.private_metadata)).toMatchObject({ p: 0, c: "C0PLATFORM" });
  });

  it("keeps an answer far beyond Slack's limits inside them, with a way to see the rest", async () => {
    await slash("/callboard", "big", "r5");
    const answer = await bot.api.waitFor((c) => c.responseId === "r5");
    const blocks = answer.args.blocks as Blocks;
    expect(blocks).toHaveLength(50);
    expect(blocks[48]!.type).toBe("context");
    expect(blocks[48]!.elements![0]!.text).toMatch(/^\d+ more parts not shown here\.$/);
    expect(JSON.parse(blocks[49]!.elements![0]!.value!)).toEqual({ c: "big --all" });
    // The stand-in checked 50 blocks, 3,000-char sections, 10 fields, button limits (afterEach).
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
    await bot.surface.drain();
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
    await bot.surface.drain();
    // Slack delivers the event again (its retry schedule); this time the answer goes out, once.
    expect((await sendSigned(bot.server.url, body, JSON_TYPE, { retryNum: 1 })).status).toBe(200);
    await bot.surface.drain();
    expect((await sendSigned(bot.server.url, body, JSON_TYPE, { retryNum: 2 })).status).toBe(200);
    await bot.surface.drain();
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
    await bot.surface.drain();
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
    expect(JSON.parse(button.value!)).toEqual({ f: "new-service", a: "" });
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
    await bot.surface.drain();
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
    await bot.surface.drain();
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
    await bot.surface.drain();
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
      const draining = bot.surface.drain().then(() => (drained = true));
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
        routes: bot.surface.routes.map((route) => ({
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
        await bot.surface.drain();
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
    await bot.surface.drain();
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
    expect(meta).toMatchObject({ p: 0, c: "C0PLATFORM", t: "1700000069.000100" });
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

  it("pushes page two, then closes the stack and posts the result into the originating thread through the button's response_url", async () => {
    const next = await submit(opened.args.view as Record<string, unknown>, page1("payments-api"));
    expect(next.response_action).toBe("push");
    expect(checkView("push", next.view)).toEqual([]);
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
    expect(posted.args).toMatchObject({
      channel: ALICE.userId,
      text: "That form has expired. Run the command again to start over.",
    });
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

describe("with the database-backed ledger and form state (SQLite file, two replicas, a restart)", () => {
  it("answers a retry once even when it reaches another replica or a restarted one, and finishes a form across replicas", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { openDatabase } = await import("../../db/open-database.ts");
    const { PrismaEventLedger } = await import("../../db/event-ledger.ts");
    const { PrismaFormStateStore } = await import("../../db/form-state-store.ts");
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
        formState: new PrismaFormStateStore(db.prisma),
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
      expect(JSON.parse(sent.body)).toMatchObject({ response_action: "push" });

      // A marker event proves both replicas are idle before counting.
      await sendSigned(
        b.harness.server.url,
        appMentionBody(`<@${BOT_USER_ID}> deps marker2`, { ts: "1700000101.000100", eventId: nextEventId() }),
        JSON_TYPE,
      );
      await api.waitFor((c) => c.args.text === "marker2 depends on ledger-db");
      await Promise.all([b.harness.surface.drain(), restarted.harness.surface.drain()]);
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
