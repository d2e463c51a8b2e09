import { ErrorCode } from "@slack/web-api";
import { Pacer, type RateWindow, type RetryAdvice } from "../core/pacer.ts";
import { SLACK_RATES } from "./slack-limits.ts";

/** Which of Slack's rate limits a call counts against. */
export type SlackCallKind = "post" | "tier3" | "tier4";

export interface SlackPacerOptions {
  /** Override Slack's rates (see SLACK_RATES); tests pin a clock instead of changing these. */
  rates?: Partial<Record<SlackCallKind, RateWindow[]>>;
  onRetry?: (info: { key: string; status?: number | string; waitMs: number; attempt: number }) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/**
 * Every Slack call that writes into a conversation goes through here. One lane per conversation keeps its
 * calls in the order they were asked for (a post, then its updates), and is the one place that waits out a
 * 429's Retry-After: the WebClient rejects rate-limited calls instead of pausing every request it has (it
 * would hold all channels, and a modal's 3-second trigger, behind one channel's limit). Within its turn a call
 * then waits for its own budget: posts one a second per channel, Tier 3 and Tier 4 methods per workspace.
 */
export class SlackPacer {
  private readonly lanes: Pacer;
  private readonly budgets: Record<SlackCallKind, Pacer>;

  constructor(options: SlackPacerOptions = {}) {
    const clock = {
      ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.now ? { now: options.now } : {}),
    };
    this.lanes = new Pacer({
      windows: [],
      retryAdvice: slackRetryAdvice,
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
      ...clock,
    });
    const budget = (kind: SlackCallKind) =>
      new Pacer({
        windows: options.rates?.[kind] ?? SLACK_RATES[kind],
        retryAdvice: () => undefined,
        ...clock,
      });
    this.budgets = { post: budget("post"), tier3: budget("tier3"), tier4: budget("tier4") };
  }

  /** Run `send` in `lane`'s turn (a channel, or a person's Home tab), within the budget of its kind. */
  run<T>(lane: string, kind: SlackCallKind, send: () => Promise<T>): Promise<T> {
    // Posts are limited per channel; the tiers are per workspace, so all their calls share one budget.
    const key = kind === "post" ? lane : kind;
    return this.lanes.run(lane, () => this.budgets[kind].run(key, send));
  }

  /** Resolves when every call asked for so far has been made or has failed. */
  async drain(): Promise<void> {
    await this.lanes.drain();
  }
}

/** A 429 the WebClient passed on (rejectRateLimitedCalls), with the wait Slack asked for. */
export function slackRetryAdvice(error: unknown): RetryAdvice | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { code, retryAfter } = error as { code?: unknown; retryAfter?: unknown };
  if (code !== ErrorCode.RateLimitedError) return undefined;
  return {
    status: 429,
    ...(typeof retryAfter === "number" && Number.isFinite(retryAfter)
      ? { retryAfterMs: retryAfter * 1000 }
      : {}),
  };
}
