/**
 * The worst inputs we can construct, through the real Slack adapter (Bolt, signatures, the stand-in Web API),
 * sent all at once beside an ordinary command from someone else: that command is acknowledged and answered,
 * every oversized one gets the answer that names the limit, and every answer is one Slack would accept.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogCommandsPlugin } from "../../catalog/commands/catalog-plugin.ts";
import { catalogLinksPlugin } from "../../catalog/web/catalog-links.ts";
import { GraphNameResolver } from "../../catalog/graph/graph-resolver.ts";
import { hubGraph } from "../../../test/fixtures/catalog-commands/small-catalog.ts";
import { BOT_USER_ID, type RecordedCall } from "../../../test/fixtures/slack/fake-slack-api.ts";
import { startSlackHarness, type SlackHarness } from "../../../test/fixtures/slack/harness.ts";
import {
  appMentionBody,
  directMessageBody,
  linkSharedBody,
  nextEventId,
  sendSigned,
  slashCommandBody,
  type Actor,
} from "../../../test/fixtures/slack/slack-requests.ts";
import { MAX_COMMAND_LENGTH } from "../core/router.ts";

const FORM = "application/x-www-form-urlencoded" as const;
const JSON_TYPE = "application/json" as const;
const MALLORY: Actor = { userId: "U0MALLORY", userName: "mallory" };
const ALICE: Actor = { userId: "U0ALICE01", userName: "alice" };
const TOO_LONG = /^That message is longer than 4,000 characters/;

let bot: SlackHarness;

beforeAll(async () => {
  const graph = hubGraph(1_500);
  const resolver = new GraphNameResolver(graph);
  bot = await startSlackHarness({
    plugins: [
      catalogCommandsPlugin({ graph, resolver: () => resolver }),
      catalogLinksPlugin({ graph, baseUrl: "https://callboard.test" }),
    ],
    logLevel: "warn",
  });
  bot.api.addPerson({ id: MALLORY.userId, name: "mallory" });
  bot.api.addPerson({ id: ALICE.userId, name: "alice" });
  // The bot is a member of the channels the abusive mentions come from, so its answers go there.
  bot.api.addChannel("C0ABUSE1", { name: "abuse-1", member: true });
  bot.api.addChannel("C0ABUSE2", { name: "abuse-2", member: true });
});

afterAll(async () => {
  await bot.close();
});

const slash = (text: string, responseId: string, actor: Actor) =>
  sendSigned(
    bot.server.url,
    slashCommandBody("/callboard", text, bot.api.responseUrl(responseId), `1.2.${responseId}`, actor),
    FORM,
  );

const postedTo = (channel: string) =>
  bot.api.waitFor(
    (c: RecordedCall) =>
      (c.method === "chat.postMessage" || c.method === "chat.postEphemeral") && c.args.channel === channel,
    10_000,
  );

describe("oversized and pathological input beside an ordinary command", () => {
  it("acknowledges and answers the ordinary command, and tells each oversized one the limit", async () => {
    const word = (length: number) =>
      "abcdefghijklmnopqrstuvwxyz".repeat(Math.ceil(length / 26)).slice(0, length);
    const abusive = [
      sendSigned(
        bot.server.url,
        appMentionBody(`<@${BOT_USER_ID}> who owns ${word(2_000_000)}`, {
          ts: "1700000100.000100",
          channel: "C0ABUSE1",
          eventId: nextEventId(),
          actor: MALLORY,
        }),
        JSON_TYPE,
      ),
      sendSigned(
        bot.server.url,
        appMentionBody(`<@${BOT_USER_ID}> search ${`<@${BOT_USER_ID}|`.repeat(3_000)}`, {
          ts: "1700000100.000200",
          channel: "C0ABUSE2",
          eventId: nextEventId(),
          actor: MALLORY,
        }),
        JSON_TYPE,
      ),
      sendSigned(
        bot.server.url,
        directMessageBody(`who owns a${".".repeat(MAX_COMMAND_LENGTH - 12)}b`, {
          ts: "1700000100.000300",
          eventId: nextEventId(),
          actor: MALLORY,
        }),
        JSON_TYPE,
      ),
      slash(`who owns ${word(40_000)}`, "huge", MALLORY),
      slash(`who owns ${word(MAX_COMMAND_LENGTH - "who owns ".length)}`, "longest", MALLORY),
      slash("dependents shared-db --depth 999", "wide", MALLORY),
    ];
    const ordinary = slash("who owns user-7", "ordinary", ALICE);
    const acks = await Promise.all([ordinary, ...abusive]);
    expect(acks.map((a) => a.status)).toEqual(acks.map(() => 200));

    const answer = await bot.api.waitForResponse("ordinary", 10_000);
    expect(answer.args.text).toBe("user-7 has no owner in the catalog.");

    const tooLong = await bot.api.waitForResponse("huge", 10_000);
    expect(tooLong.args.response_type).toBe("ephemeral");
    expect(tooLong.args.text).toMatch(TOO_LONG);
    const mention = await postedTo("C0ABUSE1");
    expect(mention.method).toBe("chat.postEphemeral");
    expect(mention.args.text).toMatch(TOO_LONG);
    expect((await postedTo("C0ABUSE2")).args.text).toMatch(TOO_LONG);

    // Within the limit: answered as any other command, each answer within Slack's limits.
    expect((await postedTo("D0ALICEDM1")).args.text).toMatch(/^Nothing in the catalog is called "a\.{100}/);
    expect((await bot.api.waitForResponse("longest", 10_000)).args.text).toMatch(
      /^Nothing in the catalog is called "abcdef/,
    );
    const wide = await bot.api.waitForResponse("wide", 10_000);
    expect(wide.args.text).toMatch(/^Dependents of shared-db: (user-\d+, ){19}user-\d+ and 1480 more$/);
    expect(JSON.stringify(wide.args.blocks)).toContain("only the first 1,000 entries were walked");

    await bot.adapter.drain();
    expect(bot.api.violations).toEqual([]);
    expect(bot.logLines.join("")).not.toMatch(/"level":(50|60)/);
  });

  it("previews at most ten of the links in one message", async () => {
    const links = Array.from(
      { length: 300 },
      (_, i) => `https://callboard.test/catalog/default/component/user-${i}`,
    );
    const sent = await sendSigned(
      bot.server.url,
      linkSharedBody(links, { channel: "C0LINKS", messageTs: "1700000200.000100", eventId: nextEventId() }),
      JSON_TYPE,
    );
    expect(sent.status).toBe(200);
    const unfurl = await bot.api.waitFor((c) => c.method === "chat.unfurl", 10_000);
    expect(Object.keys(unfurl.args.unfurls as object)).toEqual(links.slice(0, 10));
  });
});
