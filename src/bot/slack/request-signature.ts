import { createHmac, timingSafeEqual } from "node:crypto";

/** Slack's replay window: a request stamped more than five minutes from our clock, either way, is refused. */
export const SLACK_TIMESTAMP_WINDOW_SECONDS = 5 * 60;

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * The timestamp header alone, so a stale or missing one is refused before the body is read. Bolt's
 * verifier refuses only the past side; Slack's rule (X-Slack-Request-Timestamp) is five minutes either way,
 * and a future stamp is as much a replay as an old one once the clock catches up with it.
 */
export function checkTimestamp(header: string | string[] | undefined, nowMs: number): SignatureCheck {
  if (typeof header !== "string") return { ok: false, reason: "no X-Slack-Request-Timestamp header" };
  if (!/^\d{1,12}$/.test(header))
    return { ok: false, reason: "X-Slack-Request-Timestamp is not Unix seconds" };
  const skew = Number(header) - Math.floor(nowMs / 1000);
  if (Math.abs(skew) > SLACK_TIMESTAMP_WINDOW_SECONDS) {
    return {
      ok: false,
      reason: `X-Slack-Request-Timestamp is ${Math.abs(skew)} s in the ${skew < 0 ? "past" : "future"} (at most ${SLACK_TIMESTAMP_WINDOW_SECONDS} s either way)`,
    };
  }
  return { ok: true };
}

/**
 * X-Slack-Signature over the exact bytes received: `v0=` and the hex HMAC-SHA256 of `v0:<timestamp>:<body>`
 * with the signing secret, compared in constant time.
 */
export function checkSignature(
  signingSecret: string,
  timestamp: string,
  header: string | string[] | undefined,
  rawBody: Buffer,
): SignatureCheck {
  if (typeof header !== "string") return { ok: false, reason: "no X-Slack-Signature header" };
  if (!/^v0=[0-9a-f]{64}$/.test(header))
    return { ok: false, reason: "X-Slack-Signature is not a v0 signature" };
  const expected = createHmac("sha256", signingSecret).update(`v0:${timestamp}:`).update(rawBody).digest();
  const given = Buffer.from(header.slice(3), "hex");
  if (!timingSafeEqual(expected, given)) return { ok: false, reason: "X-Slack-Signature does not match" };
  return { ok: true };
}
