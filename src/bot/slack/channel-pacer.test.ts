import { describe, expect, it } from "vitest";
import { ChannelPacer } from "./channel-pacer.ts";

/** A clock the test moves by hand, so spacing is checked without waiting on wall-clock time. */
function fakeClock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
    sleeps,
  };
}

describe("ChannelPacer", () => {
  it("spaces a burst to one channel one interval apart and sends every message in order", async () => {
    const clock = fakeClock();
    const pacer = new ChannelPacer(1000, clock.now, clock.sleep);
    const sentAt: [string, number][] = [];
    await Promise.all(
      ["a", "b", "c", "d"].map((m) => pacer.run("C1", async () => sentAt.push([m, clock.now()]))),
    );
    expect(sentAt).toEqual([
      ["a", 0],
      ["b", 1000],
      ["c", 2000],
      ["d", 3000],
    ]);
  });

  it("does not make one channel wait for another", async () => {
    const clock = fakeClock();
    const pacer = new ChannelPacer(1000, clock.now, clock.sleep);
    const sentAt: string[] = [];
    await Promise.all([
      pacer.run("C1", async () => sentAt.push(`C1@${clock.now()}`)),
      pacer.run("C2", async () => sentAt.push(`C2@${clock.now()}`)),
    ]);
    expect(sentAt.sort()).toEqual(["C1@0", "C2@0"]);
  });

  it("keeps the queue going after a failed send and reports the failure to its caller", async () => {
    const clock = fakeClock();
    const pacer = new ChannelPacer(1000, clock.now, clock.sleep);
    const failing = pacer.run("C1", async () => {
      throw new Error("channel_not_found");
    });
    const next = pacer.run("C1", async () => "sent");
    await expect(failing).rejects.toThrow("channel_not_found");
    await expect(next).resolves.toBe("sent");
    await pacer.drain();
    expect(pacer.busyChannels).toBe(0);
  });

  it("sends at once when the channel has been quiet for an interval", async () => {
    const clock = fakeClock();
    const pacer = new ChannelPacer(1000, clock.now, clock.sleep);
    await pacer.run("C1", async () => undefined);
    clock.advance(1500);
    await pacer.run("C1", async () => undefined);
    expect(clock.sleeps).toEqual([]);
  });
});
