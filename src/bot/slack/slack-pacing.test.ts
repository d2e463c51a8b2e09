import { WebAPIPlatformError, WebAPIRateLimitedError } from "@slack/web-api";
import { describe, expect, it } from "vitest";
import { SlackPacer, slackRetryAdvice } from "./slack-pacing.ts";

/** A clock that moves only when the pacer sleeps, so Slack's windows are checked exactly and at once. */
function pacer() {
  let now = 0;
  const sleeps: number[] = [];
  const p = new SlackPacer({
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  });
  return { p, sleeps, time: () => now };
}

describe("SlackPacer", () => {
  it("sends a channel's posts one a second, in order, and other channels' at once", async () => {
    const { p, time } = pacer();
    const sent: string[] = [];
    const post = (channel: string, text: string) =>
      p.run(channel, "post", async () => void sent.push(`${text}@${time()}`));
    await Promise.all([post("C1", "a"), post("C1", "b"), post("C2", "x"), post("C1", "c")]);
    expect(sent).toEqual(["a@0", "x@0", "b@1000", "c@2000"]);
  });

  it("keeps a post and its updates in order in the channel's lane, updates within Tier 3, not a post's pace", async () => {
    const { p, time } = pacer();
    const sent: string[] = [];
    const calls = [p.run("C1", "post", async () => void sent.push(`post@${time()}`))];
    for (let i = 1; i <= 12; i++) {
      calls.push(p.run("C1", "tier3", async () => void sent.push(`update ${i}@${time()}`)));
    }
    await Promise.all(calls);
    // Five a second: not one a second, as a post would be, nor all at once.
    expect(sent).toEqual([
      "post@0",
      ...[1, 2, 3, 4, 5].map((i) => `update ${i}@0`),
      ...[6, 7, 8, 9, 10].map((i) => `update ${i}@1000`),
      ...[11, 12].map((i) => `update ${i}@2000`),
    ]);
  });

  it("waits out a 429's Retry-After once, in the lane, and holds back the calls behind it", async () => {
    const { p, sleeps, time } = pacer();
    let tries = 0;
    const sent: string[] = [];
    const first = p.run("C1", "tier3", async () => {
      if (++tries === 1) throw new WebAPIRateLimitedError(3);
      sent.push(`first@${time()}`);
    });
    const second = p.run("C1", "tier3", async () => void sent.push(`second@${time()}`));
    await Promise.all([first, second]);
    expect(tries).toBe(2);
    expect(sent).toEqual(["first@3000", "second@3000"]);
    expect(sleeps).toEqual([3000]);
  });

  it("passes Slack's refusals straight to the caller, unretried", async () => {
    const { p } = pacer();
    let tries = 0;
    const refused = new WebAPIPlatformError({ ok: false, error: "not_in_channel" } as never);
    await expect(
      p.run("C1", "post", async () => {
        tries++;
        throw refused;
      }),
    ).rejects.toBe(refused);
    expect(tries).toBe(1);
    expect(slackRetryAdvice(refused)).toBeUndefined();
    expect(slackRetryAdvice(new WebAPIRateLimitedError(2))).toEqual({ status: 429, retryAfterMs: 2000 });
  });
});
