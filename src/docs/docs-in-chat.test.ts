/**
 * Docs in Slack and Teams through the platform stand-ins: a pasted docs link unfurls with the page title, the
 * section its anchor names and the first paragraph; in a channel with doc suggestions on, a question gets one
 * reply in its thread with section links, never for a bot's message, never twice in a thread.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryDocSuggestionStore } from "../../test/fixtures/docs/memory-suggestion-store.ts";
import { suggestionCorpus } from "../../test/fixtures/docs/suggestion-corpus.ts";
import { startSlackHarness, type SlackHarness } from "../../test/fixtures/slack/harness.ts";
import {
  appMentionBody,
  channelMessageBody,
  linkSharedBody,
  nextEventId,
  sendSigned,
  slashCommandBody,
} from "../../test/fixtures/slack/slack-requests.ts";
import { BOT_USER_ID } from "../../test/fixtures/slack/fake-slack-api.ts";
import { startTeamsHarness, type TeamsHarness } from "../../test/fixtures/teams/harness.ts";
import type { Plugin } from "../plugins/api.ts";
import { docSuggestionsPlugin } from "./suggestions/doc-suggestions-plugin.ts";
import { docsWebPlugin } from "./web/docs-web-plugin.ts";
import { SectionIndex } from "./web/section-index.ts";

const BASE = "https://callboard.acme.test";
const RUNBOOK = `${BASE}/docs/default/component/payments-api/runbooks/rotate-database-credentials/`;
const JSON_TYPE = "application/json" as const;
const FORM = "application/x-www-form-urlencoded" as const;

function docsPlugins(store: MemoryDocSuggestionStore): Plugin[] {
  const library = suggestionCorpus();
  const sections = new SectionIndex(library);
  return [
    docsWebPlugin({ library, baseUrl: BASE, sections }),
    docSuggestionsPlugin({ sections, store, baseUrl: BASE }),
  ];
}

type Blocks = { type: string; text?: { text: string }; elements?: { text?: string }[] }[];
const allText = (blocks: Blocks) => JSON.stringify(blocks);

describe("docs in Slack", () => {
  let bot: SlackHarness;
  const store = new MemoryDocSuggestionStore();

  beforeAll(async () => {
    bot = await startSlackHarness({ plugins: docsPlugins(store) });
  });
  afterAll(() => bot?.close());

  it("unfurls a pasted docs link: page title, the anchor's section, its first paragraph", async () => {
    await sendSigned(
      bot.server.url,
      linkSharedBody([`${RUNBOOK}#restart-the-payments-pods`], {
        channel: "C0PLATFORM",
        messageTs: "1700000200.000100",
        eventId: nextEventId(),
      }),
      JSON_TYPE,
    );
    const call = await bot.api.waitFor((c) => c.method === "chat.unfurl");
    const unfurls = call.args.unfurls as Record<string, { blocks: Blocks }>;
    const shown = allText(unfurls[`${RUNBOOK}#restart-the-payments-pods`]!.blocks);
    expect(shown).toContain("Rotate database credentials");
    expect(shown).toContain("Restart the payments pods");
    expect(shown).toContain("kubectl rollout restart deployment/payments-api");
  });

  it("suggests docs in the thread of a question, once per thread, only where turned on, never for bots", async () => {
    const question = "How do I rotate the database credentials for payments?";
    // Off by default: this question goes unanswered.
    await sendSigned(
      bot.server.url,
      channelMessageBody(question, { ts: "1700000300.000100", eventId: nextEventId(), channel: "C0QUIET" }),
      JSON_TYPE,
    );
    // Someone in #platform turns them on; the channel sees it.
    const on = await sendSigned(
      bot.server.url,
      slashCommandBody("/callboard", "docs suggestions on", bot.api.responseUrl("on1"), "1337.1.trigger"),
      FORM,
    );
    expect(on.status).toBe(200);
    const answered = await bot.api.waitForResponse("on1");
    expect(JSON.stringify(answered.args)).toContain("Doc suggestions are now on in this channel");
    expect(answered.args.response_type).toBe("in_channel");
    expect((await store.setting("slack", "C0PLATFORM"))?.enabled).toBe(true);

    // A bot's message, a statement, and a message that mentions Callboard (answered as a command) get none.
    await sendSigned(
      bot.server.url,
      channelMessageBody(question, { ts: "1700000301.000100", eventId: nextEventId(), botId: "B0OTHER" }),
      JSON_TYPE,
    );
    await sendSigned(
      bot.server.url,
      channelMessageBody("I rotated the database credentials this morning.", {
        ts: "1700000302.000100",
        eventId: nextEventId(),
      }),
      JSON_TYPE,
    );
    await sendSigned(
      bot.server.url,
      channelMessageBody(`<@${BOT_USER_ID}> ${question}`, {
        ts: "1700000303.000100",
        eventId: nextEventId(),
      }),
      JSON_TYPE,
    );
    await sendSigned(
      bot.server.url,
      appMentionBody(`<@${BOT_USER_ID}> ${question}`, { ts: "1700000303.000100", eventId: nextEventId() }),
      JSON_TYPE,
    );

    // The question starts a thread: its suggestion goes there.
    await sendSigned(
      bot.server.url,
      channelMessageBody(question, { ts: "1700000304.000100", eventId: nextEventId() }),
      JSON_TYPE,
    );
    const suggested = await bot.api.waitFor(
      (c) => c.method === "chat.postMessage" && c.args.thread_ts === "1700000304.000100",
    );
    expect(suggested.args.channel).toBe("C0PLATFORM");
    expect(JSON.stringify(suggested.args.blocks)).toContain(`${RUNBOOK}#`);
    expect(JSON.stringify(suggested.args.blocks)).toContain("These docs may help");

    // A second question in the same thread gets nothing; one in a new thread gets its own.
    await sendSigned(
      bot.server.url,
      channelMessageBody("How do we roll back a deployment that went bad?", {
        ts: "1700000305.000100",
        threadTs: "1700000304.000100",
        eventId: nextEventId(),
      }),
      JSON_TYPE,
    );
    await sendSigned(
      bot.server.url,
      channelMessageBody("How do we roll back a deployment that went bad?", {
        ts: "1700000306.000100",
        eventId: nextEventId(),
      }),
      JSON_TYPE,
    );
    const second = await bot.api.waitFor(
      (c) => c.method === "chat.postMessage" && c.args.thread_ts === "1700000306.000100",
    );
    expect(JSON.stringify(second.args.blocks)).toContain("deploy/#roll-back-a-deployment");

    const suggestions = bot.api
      .callsTo("chat.postMessage")
      .filter((c) => JSON.stringify(c.args).includes("These docs may help"));
    expect(suggestions.map((c) => c.args.thread_ts)).toEqual(["1700000304.000100", "1700000306.000100"]);
  });
});

describe("docs in Teams", () => {
  let teams: TeamsHarness;
  const store = new MemoryDocSuggestionStore();

  beforeAll(async () => {
    teams = await startTeamsHarness({ plugins: docsPlugins(store) });
  });
  afterAll(() => teams?.close());

  it("previews a pasted docs link in the compose box (queryLink)", async () => {
    const { status, body } = await teams.post(
      teams.fixture("invoke-compose-query-link", { value: { url: `${RUNBOOK}#revoke-the-old-password` } }),
    );
    expect(status).toBe(200);
    const shown = JSON.stringify(body);
    expect(shown).toContain("Rotate database credentials");
    expect(shown).toContain("Revoke the old password");
    expect(shown).toContain("revoke the old PostgreSQL role password");
  });

  it("suggests docs in the reply chain of a channel question without a mention, once", async () => {
    await store.set("teams", "19:3f2c8e@thread.tacv2", true, "29:1a2b3c-alice");
    const ask = (id: string, text: string, root = id) =>
      teams.post(
        teams.fixture("message-channel-mention", {
          id,
          text,
          entities: [],
          conversation: {
            id: `19:3f2c8e@thread.tacv2;messageid=${root}`,
            conversationType: "channel",
            isGroup: true,
            tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
          },
        }),
      );
    await ask("1732531000001", "How can I get kubectl access to the production cluster?");
    const reply = await teams.connector.waitFor((c) => c.activityId === "1732531000001");
    expect(reply.conversationId).toBe("19:3f2c8e@thread.tacv2;messageid=1732531000001");
    expect(JSON.stringify(reply.body)).toContain("/docs/default/component/platform-handbook/kubernetes/");
    // A second question in the same chain: nothing; the chain already got its suggestion.
    await ask("1732531000002", "How do I join the on-call rotation?", "1732531000001");
    await ask("1732531000003", "How do I join the on-call rotation?");
    await teams.connector.waitFor((c) => c.activityId === "1732531000003");
    expect(teams.connector.calls.filter((c) => c.activityId === "1732531000002")).toEqual([]);
  });
});
