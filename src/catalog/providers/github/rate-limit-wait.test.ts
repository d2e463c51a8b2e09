import { RequestError } from "octokit";
import { describe, expect, it } from "vitest";
import { rateLimitWaitMs } from "./discovery.ts";

const refused = (status: number, headers: Record<string, string>) =>
  new RequestError("limited", status, {
    request: { method: "GET", url: "https://api.github.com/orgs/acme/repos", headers: {} },
    response: { status, url: "https://api.github.com/orgs/acme/repos", headers, data: {} },
  });

describe("how long a rate-limited discovery waits before resuming", () => {
  it("reads Retry-After (secondary limits) and x-ratelimit-reset (primary)", () => {
    expect(rateLimitWaitMs(refused(403, { "retry-after": "60" }))).toBe(60_000);
    expect(
      rateLimitWaitMs(refused(429, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1000" }), 940_000),
    ).toBe(60_000);
    // A reset already past: resume at once.
    expect(
      rateLimitWaitMs(refused(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "10" }), 940_000),
    ).toBe(0);
  });

  it("is undefined for anything that is not a rate limit", () => {
    expect(rateLimitWaitMs(refused(403, { "x-ratelimit-remaining": "42" }))).toBeUndefined();
    expect(rateLimitWaitMs(refused(500, { "retry-after": "5" }))).toBeUndefined();
    expect(rateLimitWaitMs(new Error("socket hang up"))).toBeUndefined();
  });
});
