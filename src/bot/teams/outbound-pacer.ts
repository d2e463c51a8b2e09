/**
 * Teams allows a bot about 7 messages a second in one conversation and answers 429 (with Retry-After)
 * beyond that. Outbound sends queue per conversation at that pace, and a 429, 412, 502 or 504 is retried
 * after the time the service asks for (or an exponential backoff with jitter). The pace is per process;
 * several replicas share the conversation's budget, which the 429 handling covers.
 */
export interface PacerOptions {
  perSecond?: number;
  maxAttempts?: number;
  /** Cap on one wait, so a bad Retry-After cannot park a send for hours. */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  onRetry?: (info: { conversationId: string; status: number; waitMs: number; attempt: number }) => void;
}

const RETRYABLE = new Set([412, 429, 502, 504]);

export class OutboundPacer {
  private readonly nextSlot = new Map<string, number>();
  private readonly interval: number;
  private readonly maxAttempts: number;
  private readonly maxWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly options: PacerOptions = {}) {
    this.interval = 1000 / (options.perSecond ?? 7);
    this.maxAttempts = options.maxAttempts ?? 5;
    this.maxWaitMs = options.maxWaitMs ?? 30_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
  }

  /** Run `send` in this conversation's next free slot, retrying throttled attempts. */
  async run<T>(conversationId: string, send: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      await this.waitForSlot(conversationId);
      try {
        return await send();
      } catch (error) {
        const status = statusOf(error);
        if (status === undefined || !RETRYABLE.has(status) || attempt >= this.maxAttempts) throw error;
        const asked = retryAfterMs(error, this.now());
        const backoff = Math.min(this.maxWaitMs, 500 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
        const waitMs = Math.min(this.maxWaitMs, asked ?? backoff);
        this.options.onRetry?.({ conversationId, status, waitMs, attempt });
        // Everyone in this conversation waits: the limit is the conversation's, not this message's.
        this.nextSlot.set(
          conversationId,
          Math.max(this.nextSlot.get(conversationId) ?? 0, this.now() + waitMs),
        );
      }
    }
  }

  private async waitForSlot(conversationId: string): Promise<void> {
    const now = this.now();
    const slot = Math.max(now, this.nextSlot.get(conversationId) ?? 0);
    this.nextSlot.set(conversationId, slot + this.interval);
    if (this.nextSlot.size > 10_000) this.forgetIdle(now);
    if (slot > now) await this.sleep(slot - now);
  }

  private forgetIdle(now: number): void {
    for (const [key, slot] of this.nextSlot) if (slot < now) this.nextSlot.delete(key);
  }
}

function statusOf(error: unknown): number | undefined {
  const e = error as { statusCode?: unknown; status?: unknown; response?: { status?: unknown } };
  const status = e?.statusCode ?? e?.status ?? e?.response?.status;
  return typeof status === "number" ? status : undefined;
}

/** Retry-After as seconds or an HTTP date, from whichever shape the HTTP client put the headers in. */
export function retryAfterMs(error: unknown, now: number): number | undefined {
  const headers = (error as { response?: { headers?: unknown } })?.response?.headers;
  let raw: unknown;
  if (headers && typeof (headers as { get?: unknown }).get === "function") {
    raw = (headers as { get(name: string): unknown }).get("retry-after");
  } else if (headers && typeof headers === "object") {
    raw =
      (headers as Record<string, unknown>)["retry-after"] ??
      (headers as Record<string, unknown>)["Retry-After"];
  }
  if (typeof raw !== "string" && typeof raw !== "number") return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(String(raw));
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
