/**
 * Every outbound call to a chat platform (posts, updates, ephemeral messages) goes through one pacer per
 * platform. Calls that share a key (a Slack channel, a Teams conversation) run one after another in the order
 * they were asked for, so the updates of one message arrive in order; each key keeps within the platform's
 * rate windows; and a call the platform throttles anyway (several replicas share its budget) waits the time
 * the platform asks for and is retried, holding back the calls behind it, since the limit is the key's.
 * Keys do not wait for each other.
 */
export interface RateWindow {
  /** At most `count` calls ... */
  count: number;
  /** ... in any `ms` milliseconds. */
  ms: number;
}

/** What a failed call says about retrying it: undefined when it is not a throttling answer. */
export interface RetryAdvice {
  /** How long the platform asked us to wait (Retry-After); a backoff is used when it did not say. */
  retryAfterMs?: number;
  status?: number | string;
}

export interface PacerOptions {
  /** The platform's limits for one key. */
  windows: RateWindow[];
  /** Recognises throttling and transient refusals in the platform client's errors. */
  retryAdvice: (error: unknown) => RetryAdvice | undefined;
  maxAttempts?: number;
  /** Cap on one wait, so a bad Retry-After cannot park a key for hours. */
  maxWaitMs?: number;
  onRetry?: (info: { key: string; status?: number | string; waitMs: number; attempt: number }) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

interface Lane {
  tail: Promise<void>;
  pending: number;
  /** Start times of the most recent calls, oldest first; as many as the largest window counts. */
  starts: number[];
  /** Nothing starts before this (a Retry-After the platform gave). */
  notBefore: number;
}

/** Idle lanes are looked for once this many lanes exist (and again each time the count doubles). */
const MAX_IDLE_LANES = 1000;

export class Pacer {
  private readonly lanes = new Map<string, Lane>();
  private readonly windows: RateWindow[];
  private readonly keep: number;
  private readonly maxAttempts: number;
  private readonly maxWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private sweepAt = MAX_IDLE_LANES;

  constructor(private readonly options: PacerOptions) {
    this.windows = options.windows.filter((w) => w.count > 0 && w.ms > 0);
    this.keep = Math.max(1, ...this.windows.map((w) => w.count));
    this.maxAttempts = options.maxAttempts ?? 5;
    this.maxWaitMs = options.maxWaitMs ?? 30_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? (() => performance.now());
  }

  /** Run `send` in `key`'s turn and within its rate windows, retrying throttled attempts. */
  run<T>(key: string, send: () => Promise<T>): Promise<T> {
    const lane = this.lane(key);
    lane.pending++;
    const result = lane.tail.then(() => this.attempt(key, lane, send));
    const settle = () => {
      lane.pending--;
    };
    lane.tail = result.then(settle, settle);
    return result;
  }

  /** Keys with calls still waiting or running. */
  get busyKeys(): number {
    let busy = 0;
    for (const lane of this.lanes.values()) if (lane.pending > 0) busy++;
    return busy;
  }

  /** Resolves when every call asked for so far has been made or has failed. */
  async drain(): Promise<void> {
    await Promise.all([...this.lanes.values()].map((lane) => lane.tail));
  }

  private async attempt<T>(key: string, lane: Lane, send: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const wait = this.waitFor(lane);
      if (wait > 0) await this.sleep(wait);
      lane.starts.push(this.now());
      if (lane.starts.length > this.keep) lane.starts.shift();
      const slot = lane.starts.length - 1;
      try {
        return await send();
      } catch (error) {
        const advice = this.options.retryAdvice(error);
        if (!advice || attempt >= this.maxAttempts) throw error;
        const backoff = Math.min(this.maxWaitMs, 500 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
        const waitMs = Math.min(this.maxWaitMs, advice.retryAfterMs ?? backoff);
        this.options.onRetry?.({ key, status: advice.status, waitMs, attempt });
        lane.notBefore = Math.max(lane.notBefore, this.now() + waitMs);
      } finally {
        // The platform counted the call at some moment between sending it and answering: windows count from
        // the answer, so a call held up on its way (a busy event loop, a slow network) cannot crowd the next
        // window on the platform's side.
        lane.starts[slot] = this.now();
      }
    }
  }

  /** How long until a call on this lane keeps within every window and any Retry-After. */
  private waitFor(lane: Lane): number {
    const now = this.now();
    let at = lane.notBefore;
    for (const window of this.windows) {
      const earlier = lane.starts.length - window.count;
      if (earlier >= 0) at = Math.max(at, lane.starts[earlier]! + window.ms);
    }
    return Math.max(0, at - now);
  }

  private lane(key: string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) {
      // With an hour-long window (Teams) few lanes are idle yet: sweeping on every new key would make each
      // new conversation cost a pass over all of them.
      if (this.lanes.size >= this.sweepAt) {
        this.forgetIdle();
        this.sweepAt = Math.max(MAX_IDLE_LANES, this.lanes.size * 2);
      }
      lane = { tail: Promise.resolve(), pending: 0, starts: [], notBefore: 0 };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  /** Idle lanes whose windows have passed are forgotten, so the map does not grow with every key ever used. */
  private forgetIdle(): void {
    const now = this.now();
    const longest = Math.max(0, ...this.windows.map((w) => w.ms));
    for (const [key, lane] of this.lanes) {
      const last = lane.starts[lane.starts.length - 1] ?? -Infinity;
      if (lane.pending === 0 && now - last >= longest && now >= lane.notBefore) this.lanes.delete(key);
    }
  }
}

/** Retry-After as seconds or an HTTP date, from a header value in whatever shape a client kept it. */
export function parseRetryAfter(raw: unknown, now = Date.now()): number | undefined {
  if (typeof raw !== "string" && typeof raw !== "number") return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(String(raw));
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
