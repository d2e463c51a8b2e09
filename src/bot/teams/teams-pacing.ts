import {
  Pacer,
  parseRetryAfter,
  type PacerOptions,
  type RateWindow,
  type RetryAdvice,
} from "../core/pacer.ts";

/**
 * The Bot Connector's limits for one bot in one conversation (Microsoft's "Optimize your bot with rate
 * limiting in Teams": sending to a conversation, per thread): 7 in any second, 8 in any 2 s, 60 in any 30 s,
 * 1,800 in any hour. Updates count like sends. Beyond them Teams answers 429.
 */
export const TEAMS_CONVERSATION_WINDOWS: RateWindow[] = [
  { count: 7, ms: 1000 },
  { count: 8, ms: 2000 },
  { count: 60, ms: 30_000 },
  { count: 1800, ms: 3_600_000 },
];

/** Microsoft asks bots to retry these, after the time Teams gives or an exponential backoff with jitter. */
const RETRYABLE = new Set([412, 429, 502, 504]);

export type TeamsPacingOptions = Partial<Omit<PacerOptions, "retryAdvice">>;

export function teamsPacer(options: TeamsPacingOptions = {}): Pacer {
  return new Pacer({ windows: TEAMS_CONVERSATION_WINDOWS, ...options, retryAdvice: teamsRetryAdvice });
}

/** A throttling or transient refusal in the shape the Bot Framework connector client throws it. */
export function teamsRetryAdvice(error: unknown): RetryAdvice | undefined {
  const e = error as { statusCode?: unknown; status?: unknown; response?: { status?: unknown } };
  const status = e?.statusCode ?? e?.status ?? e?.response?.status;
  if (typeof status !== "number" || !RETRYABLE.has(status)) return undefined;
  const retryAfterMs = parseRetryAfter(retryAfterHeader(error));
  return { status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
}

/** Retry-After from whichever shape the HTTP client put the headers in. */
function retryAfterHeader(error: unknown): unknown {
  const headers = (error as { response?: { headers?: unknown } })?.response?.headers;
  if (headers && typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(name: string): unknown }).get("retry-after");
  }
  if (headers && typeof headers === "object") {
    const plain = headers as Record<string, unknown>;
    return plain["retry-after"] ?? plain["Retry-After"];
  }
  return undefined;
}
