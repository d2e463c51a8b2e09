/**
 * Slack allows about one message a second per channel and may silently drop bursts beyond that. Each
 * channel gets its own small queue: sends to one channel are spaced `intervalMs` apart, sends to different
 * channels do not wait for each other, and nothing is dropped.
 */
export class ChannelPacer {
  private readonly lanes = new Map<string, { tail: Promise<void>; lastSent: number; pending: number }>();

  constructor(
    private readonly intervalMs = 1000,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  run<T>(channel: string, send: () => Promise<T>): Promise<T> {
    let lane = this.lanes.get(channel);
    if (!lane) {
      if (this.lanes.size >= 1000) this.prune();
      lane = { tail: Promise.resolve(), lastSent: -Infinity, pending: 0 };
      this.lanes.set(channel, lane);
    }
    const current = lane;
    current.pending++;
    const result = current.tail.then(async () => {
      const wait = current.lastSent + this.intervalMs - this.now();
      if (wait > 0) await this.sleep(wait);
      current.lastSent = this.now();
      return send();
    });
    const settle = () => {
      current.pending--;
    };
    current.tail = result.then(settle, settle);
    return result;
  }

  /** Idle lanes are forgotten, so a long-running bot does not keep one per channel it ever spoke in. */
  private prune(): void {
    const now = this.now();
    for (const [channel, lane] of this.lanes) {
      if (lane.pending === 0 && now - lane.lastSent >= this.intervalMs) this.lanes.delete(channel);
    }
  }

  /** Channels with messages still waiting (for tests and shutdown). */
  get busyChannels(): number {
    return [...this.lanes.values()].filter((l) => l.pending > 0).length;
  }

  /** Resolves when every queued message has been sent or has failed. */
  async drain(): Promise<void> {
    await Promise.all([...this.lanes.values()].map((l) => l.tail));
  }
}
