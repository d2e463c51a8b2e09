import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BOT_USER_ID } from "../../../test/fixtures/slack/fake-slack-api.ts";
import { startSlackHarness, type SlackHarness } from "../../../test/fixtures/slack/harness.ts";
import {
  ALICE,
  blockActionsBody,
  sendSigned,
  slashCommandBody,
  viewSubmissionBody,
} from "../../../test/fixtures/slack/slack-requests.ts";
import { testPlugin } from "../../../test/fixtures/slack/test-plugin.ts";

const FORM = "application/x-www-form-urlencoded";
/** A public channel the bot has not joined: Slack refuses chat.postMessage there with not_in_channel. */
const OUTSIDE = "C0OUTSIDE";

let bot: SlackHarness;
let triggers = 0;
const trigger = () => `2448.42.trigger${++triggers}`;

beforeAll(async () => {
  bot = await startSlackHarness({ plugins: [testPlugin] });
  bot.api.addPerson({ id: ALICE.userId, name: "alice", email: "alice@acme.example" });
  bot.api.addChannel(OUTSIDE, { name: "outside", member: false });
  bot.api.addChannel("C0ARCHIVED", { name: "old-platform", member: true, archived: true });
  bot.api.addChannel("G0SECRET", { name: "secret", member: false, private: true });
});

afterAll(async () => {
  await bot.close();
});

afterEach(() => {
  expect(bot.api.violations).toEqual([]);
  bot.api.reset();
});

const slash = (text: string, responseId: string, channel = OUTSIDE, command = "/callboard") =>
  sendSigned(
    bot.server.url,
    slashCommandBody(command, text, bot.api.responseUrl(responseId), trigger(), ALICE, channel),
    FORM,
  );

const click = (command: string, channel: string, messageTs: string, responseId: string) =>
  sendSigned(
    bot.server.url,
    blockActionsBody({
      actionId: "cb_0",
      value: JSON.stringify({ c: command }),
      label: "Show dependencies",
      channel,
      messageTs,
      triggerId: trigger(),
      responseUrl: bot.api.responseUrl(responseId),
    }),
    FORM,
  );

const postsTried = () => bot.api.calls.filter((c) => c.method.startsWith("chat.post"));

describe("in a channel the bot has not joined", () => {
  it("answers a slash command, and the button on its answer, through their response_urls", async () => {
    expect((await slash("who owns payments-api", "out1")).status).toBe(200);
    const answer = await bot.api.waitForResponse("out1");
    expect(answer.args).toMatchObject({
      response_type: "in_channel",
      text: "payments-api is owned by payments",
    });

    // The person presses "Show dependencies" on that answer.
    expect((await click("deps payments-api", OUTSIDE, "1700000500.000100", "out2")).status).toBe(200);
    const deps = await bot.api.waitForResponse("out2");
    expect(deps.args).toMatchObject({
      response_type: "in_channel",
      replace_original: false,
      thread_ts: "1700000500.000100",
      text: "payments-api depends on ledger-db",
    });
    await bot.adapter.drain();
    // Nothing was posted with chat.postMessage, so nothing was refused.
    expect(postsTried()).toEqual([]);
  });

  it("posts a form's result through the response_url of the command that opened it", async () => {
    await slash("", "out3", OUTSIDE, "/scaffold");
    const opened = await bot.api.waitFor((c) => c.method === "views.open");
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
        ? (JSON.parse(sent.body) as { response_action?: string; view?: Record<string, unknown> })
        : {};
    };
    const next = await submit(opened.args.view as Record<string, unknown>, {
      name: { value: { type: "plain_text_input", value: "outside-api" } },
      owner: {
        "pick|owner|group": { type: "external_select", selected_option: { value: "group:default/payments" } },
      },
    });
    expect(next.response_action).toBe("update");
    expect(
      await submit(next.view!, {
        language: { value: { type: "static_select", selected_option: { value: "go" } } },
        replicas: { value: { type: "number_input", value: "2" } },
      }),
    ).toEqual({ response_action: "clear" });
    const result = await bot.api.waitForResponse("out3");
    expect(result.args).toMatchObject({ response_type: "in_channel", text: "Created outside-api" });
    await bot.adapter.drain();
    expect(postsTried()).toEqual([]);
  });
});

describe("when the response_url is spent and Slack refuses the post", () => {
  it.each([
    {
      channel: OUTSIDE,
      refusal: "not_in_channel",
      why: `I can't post in <#${OUTSIDE}> because I'm not a member of it; invite me with /invite <@${BOT_USER_ID}> and ask again.`,
    },
    {
      channel: "G0SECRET",
      refusal: "channel_not_found",
      why: `I can't post in <#G0SECRET>: it is private and I'm not in it, or it no longer exists. To use me there, invite me with /invite <@${BOT_USER_ID}>.`,
    },
    {
      channel: "C0ARCHIVED",
      refusal: "is_archived",
      why: "I can't post in <#C0ARCHIVED> because it is archived.",
    },
  ])("$refusal: the person gets a DM that says why, with the answer", async ({ channel, refusal, why }) => {
    // A button pressed on an answer more than 30 minutes old: its response_url no longer takes posts.
    bot.api.expireResponseUrl(`spent-${channel}`);
    expect((await click("deps payments-api", channel, "1700000600.000100", `spent-${channel}`)).status).toBe(
      200,
    );
    const dm = await bot.api.waitFor(
      (c) => c.method === "chat.postMessage" && c.args.channel === ALICE.userId,
    );
    expect(dm.args.text).toBe(`${why}\npayments-api depends on ledger-db`);
    const blocks = dm.args.blocks as { type: string; text?: { type: string; text: string } }[];
    expect(blocks[0]).toEqual({ type: "section", text: { type: "mrkdwn", text: why } });
    expect(JSON.stringify(blocks.slice(1))).toContain("depends on");
    await bot.adapter.drain();
    expect(bot.api.calls.map((c) => c.method)).toEqual([
      "response_url (expired)",
      `chat.postMessage (${refusal})`,
      "chat.postMessage",
    ]);
  });
});
