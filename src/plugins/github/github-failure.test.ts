import { RequestError } from "octokit";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { GitHubClient } from "../../github/github-client.ts";
import type { CatalogEntry } from "../api.ts";
import { failureReply, rateLimitWait } from "./github-failure.ts";
import type { RepositoryTarget } from "./repository-target.ts";

const TOKEN = "ghp_0123456789abcdefghijklmnopqrstuv";
const github = new GitHubClient(
  { apiUrl: "https://ghe.acme.test/api/v3", host: "ghe.acme.test", token: TOKEN },
  { log: pino({ level: "silent" }) },
);
const target: RepositoryTarget = {
  entry: { ref: "component:default/payments-api", entity: {} as CatalogEntry["entity"], owners: [] },
  owner: "acme",
  repo: "payments-api",
  slug: "acme/payments-api",
  name: "payments-api",
};
const now = new Date("2026-12-06T10:00:00Z");

function failure(status: number, message: string, headers: Record<string, string> = {}) {
  return new RequestError(message, status, {
    request: {
      method: "GET",
      url: `https://ghe.acme.test/api/v3/repos/acme/payments-api?access_token=${TOKEN}`,
      headers: { authorization: `token ${TOKEN}` },
    },
    response: { status, url: "", headers, data: { message } },
  });
}

describe("GitHub's failures as answers", () => {
  it("says when to ask again after a primary or secondary rate limit, or none for other refusals", () => {
    const reset = String(now.getTime() / 1000 + 125);
    expect(
      rateLimitWait(
        failure(403, "API rate limit exceeded", { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset }),
        now,
      ),
    ).toBe(125);
    expect(rateLimitWait(failure(429, "slow down", { "retry-after": "30" }), now)).toBe(30);
    expect(rateLimitWait(failure(403, "You have exceeded a secondary rate limit"), now)).toBe(60);
    expect(rateLimitWait(failure(403, "Resource not accessible by integration"), now)).toBeUndefined();
    expect(rateLimitWait(failure(404, "Not Found"), now)).toBeUndefined();
    expect(rateLimitWait(new Error("socket hang up"), now)).toBeUndefined();
    const answer = failureReply(
      failure(403, "API rate limit exceeded", { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset }),
      {
        github,
        target,
        what: "listing pull requests",
        now,
      },
    );
    expect(answer.text).toBe("GitHub's rate limit is reached; ask again in 3 minutes (10:02 UTC).");
  });

  it("names what an App or token lacks when GitHub refuses (403)", () => {
    const answer = failureReply(failure(403, "Resource not accessible by integration"), {
      github,
      target,
      actingAs: "installation 7 of the GitHub App 42",
      what: "reading workflow runs",
      now,
    });
    expect(answer.text).toBe("GitHub refused reading workflow runs for acme/payments-api.");
    expect(JSON.stringify(answer)).toContain(
      "installation 7 of the GitHub App 42 needs read access to the repository's contents, pull requests, actions and checks.",
    );
  });

  it("says what GitHub or the network said otherwise, without the token", () => {
    const answer = failureReply(failure(502, `Bad Gateway for ${TOKEN}`), {
      github,
      target,
      what: "reading the repository",
      now,
    });
    expect(answer.text).toBe(
      "GitHub did not answer: GitHub answered 502 to GET /repos/acme/payments-api while reading the repository for acme/payments-api: Bad Gateway for ***",
    );
    const network = failureReply(new Error(`connect ECONNREFUSED (token ${TOKEN})`), {
      github,
      target,
      what: "reading the repository",
      now,
    });
    expect(network.text).toBe(
      "GitHub did not answer: GitHub failed while reading the repository for acme/payments-api: connect ECONNREFUSED (token ***)",
    );
  });
});
