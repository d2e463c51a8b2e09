import { WebClient } from "@slack/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeSlackApi } from "../../../test/fixtures/slack/fake-slack-api.ts";
import { BOT_TOKEN, startSlackHarness, type SlackHarness } from "../../../test/fixtures/slack/harness.ts";
import { reply, section } from "../../message/reply.ts";
import type { Address, MessageRef } from "../../plugins/outbox.ts";

const THREAD = "1700000001.000100";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let api: FakeSlackApi;

beforeAll(async () => {
  api = new FakeSlackApi(BOT_TOKEN);
  await api.start();
  // A channel each: the stand-in counts each channel's pace across tests, as Slack would.
  for (const id of ["C0BURST", "C0STRAY", "C0JOBS"])
    api.addChannel(id, { name: id.toLowerCase(), member: true });
});

afterAll(async () => {
  await api.stop();
});

describe("the Slack stand-in holds a bot to Slack's pace", () => {
  it("answers posts and updates past the per-channel rate with 429 and Retry-After, and records each", async () => {
    // A client with no pacing at all, as a careless adapter would call Slack.
    const client = new WebClient(BOT_TOKEN, {
      slackApiUrl: api.apiUrl,
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
    });
    const posts = await Promise.allSettled(
      Array.from({ length: 4 }, (_, i) => client.chat.postMessage({ channel: "C0BURST", text: `post ${i}` })),
    );
    expect(posts.filter((p) => p.status === "rejected")).toHaveLength(2);
    const first = posts.find((p) => p.status === "fulfilled")!.value;
    const updates = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        client.chat.update({ channel: "C0BURST", ts: first.ts!, text: `update ${i}` }),
      ),
    );
    const refused = updates.filter((u) => u.status === "rejected");
    expect(refused).toHaveLength(3);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ retryAfter: expect.any(Number) });
    expect(api.violations).toHaveLength(5);
    expect(api.violations[0]).toMatch(
      /chat.postMessage: over Slack's rate in C0BURST; answered 429 Retry-After \d/,
    );
    api.reset();
  });

  it("refuses an update of a message it never posted, or in another channel than the message's", async () => {
    const client = new WebClient(BOT_TOKEN, { slackApiUrl: api.apiUrl, retryConfig: { retries: 0 } });
    const posted = await client.chat.postMessage({ channel: "C0STRAY", text: "hello" });
    await expect(client.chat.update({ channel: "C0STRAY", ts: "1.2", text: "x" })).rejects.toThrow();
    await expect(client.chat.update({ channel: "C0OTHER", ts: posted.ts!, text: "x" })).rejects.toThrow();
    expect(api.violations).toEqual([
      "chat.update: no message 1.2 was posted",
      `chat.update: message ${posted.ts} is in C0STRAY, not C0OTHER`,
    ]);
    expect(api.message(posted.ts!)).toMatchObject({ text: "hello", updates: 0 });
    api.reset();
  });
});

describe("the Slack adapter's outbox", () => {
  let bot: SlackHarness;

  beforeAll(async () => {
    bot = await startSlackHarness({ plugins: [], api });
  });

  afterAll(async () => {
    await bot.close();
  });

  it("posts into a thread and updates the post 20 times in 2 seconds: in order, none lost, never throttled; a restarted adapter updates it from the stored ref", async () => {
    const address: Address = { adapter: "slack", channel: "C0JOBS", thread: THREAD };
    const ref = await bot.adapter.post(address, reply("Scaffolding payments-api", section("Working on it")));
    expect(ref).toEqual({ address, id: expect.stringMatching(/^\d+\.\d+$/) });

    // A job's progress: an update every 100 ms, none waiting for the one before.
    const updates: Promise<MessageRef>[] = [];
    for (let step = 1; step <= 20; step++) {
      updates.push(bot.adapter.update(ref, reply(`Step ${step} of 20`, section(`Step **${step}** of 20`))));
      await sleep(100);
    }
    expect(await Promise.all(updates)).toEqual(Array(20).fill(ref));
    const sent = api.calls.filter((c) => c.method.startsWith("chat.update"));
    expect(sent.map((c) => c.method)).toEqual(Array(20).fill("chat.update"));
    expect(sent.map((c) => c.args.text)).toEqual(Array.from({ length: 20 }, (_, i) => `Step ${i + 1} of 20`));
    expect(api.violations).toEqual([]);
    expect(api.message(ref.id)).toMatchObject({
      channel: "C0JOBS",
      thread_ts: THREAD,
      text: "Step 20 of 20",
      updates: 20,
    });

    // The ref as a job stores it (JSON), used by another adapter instance after a restart.
    const stored = JSON.stringify(ref);
    await bot.close();
    // A restart takes longer than Slack's one-second window; a new process knows nothing of the old one's
    // calls, and without the pause it would be throttled once and retry (the stand-in counts that).
    await sleep(1000);
    bot = await startSlackHarness({ plugins: [], api });
    const again = await bot.adapter.update(JSON.parse(stored) as MessageRef, reply("Done: payments-api"));
    expect(again).toEqual(ref);
    expect(api.message(ref.id)).toMatchObject({ text: "Done: payments-api", updates: 21 });
    expect(api.violations).toEqual([]);
    api.reset();
  });

  it("keeps the DM's own channel id in the ref of a post to a person, which is what chat.update takes", async () => {
    const ref = await bot.adapter.post(
      { adapter: "slack", channel: "U0ALICE01" },
      reply("Your export is ready"),
    );
    expect(ref.address).toEqual({ adapter: "slack", channel: "D0ALICE01" });
    await bot.adapter.update(ref, reply("Your export was downloaded"));
    expect(api.message(ref.id)).toMatchObject({ text: "Your export was downloaded" });
    expect(api.violations).toEqual([]);
    api.reset();
  });

  it("posts a cut answer with Show more, as any answer", async () => {
    const ref = await bot.adapter.post(
      { adapter: "slack", channel: "C0PLATFORM" },
      reply("many", ...Array.from({ length: 60 }, (_, i) => section(`Part ${i}`))),
    );
    const blocks = api.message(ref.id)!.blocks as { type: string; elements?: { value?: string }[] }[];
    expect(blocks).toHaveLength(50);
    expect(JSON.parse(blocks[49]!.elements![0]!.value!)).toEqual({ m: expect.any(String) });
    api.reset();
  });

  it("says what is wrong with an address or ref it cannot use", async () => {
    await expect(bot.adapter.post({ adapter: "teams", channel: "C0PLATFORM" }, reply("x"))).rejects.toThrow(
      'Not a Slack address: "teams"',
    );
    await expect(bot.adapter.post({ adapter: "slack", channel: "#general" }, reply("x"))).rejects.toThrow(
      'Slack address has no valid channel id (got "#general")',
    );
    await expect(
      bot.adapter.post({ adapter: "slack", channel: "C0PLATFORM", thread: "yesterday" }, reply("x")),
    ).rejects.toThrow("invalid thread ts");
    await expect(
      bot.adapter.update({ address: { adapter: "slack", channel: "C0PLATFORM" }, id: "" }, reply("x")),
    ).rejects.toThrow("Not a Slack message ts");
    expect(api.calls).toEqual([]);
  });
});
