/**
 * What went wrong talking to GitHub, said so a person knows what to do: a repository that is not there or
 * not visible, a rate limit (and when it resets), refused credentials, an App without access. Every text
 * goes through the client's redaction; a token never reaches an answer.
 */
import type { GitHubClient } from "../../github/github-client.ts";
import { context, escapeText, reply, section, type Reply } from "../api.ts";
import { within } from "./age.ts";
import { SLUG_ANNOTATION, type RepositoryTarget } from "./repository-target.ts";

interface HttpFailure {
  status: number;
  message: string;
  headers: Record<string, string | undefined>;
}

/** octokit's RequestError, recognised by its shape: a status and the response it came with. */
function httpFailure(error: unknown): HttpFailure | undefined {
  if (!(error instanceof Error)) return undefined;
  const status = (error as { status?: unknown }).status;
  if (typeof status !== "number") return undefined;
  const response = (error as { response?: { headers?: Record<string, string | undefined>; data?: unknown } })
    .response;
  const data = response?.data as { message?: unknown } | undefined;
  return {
    status,
    message: typeof data?.message === "string" ? data.message : error.message,
    headers: response?.headers ?? {},
  };
}

/** Seconds until GitHub takes requests again, when the failure is a rate limit. */
export function rateLimitWait(error: unknown, now: Date): number | undefined {
  const failure = httpFailure(error);
  if (!failure || (failure.status !== 403 && failure.status !== 429)) return undefined;
  const retryAfter = Number(failure.headers["retry-after"]);
  if (Number.isFinite(retryAfter) && retryAfter > 0) return retryAfter;
  if (failure.headers["x-ratelimit-remaining"] === "0") {
    const reset = Number(failure.headers["x-ratelimit-reset"]);
    return Number.isFinite(reset) ? Math.max(reset - now.getTime() / 1000, 1) : 60;
  }
  if (/rate limit/i.test(failure.message)) return 60;
  return undefined;
}

export interface FailureContext {
  github: GitHubClient;
  target: RepositoryTarget;
  /** Who GitHub saw: "the token", "installation 7 of the GitHub App 42". */
  actingAs?: string;
  /** What Callboard was doing: "listing pull requests". */
  what: string;
  now: Date;
}

/** The answer for a failure while reading the target's repository: what happened and what to do about it. */
export function failureReply(error: unknown, ctx: FailureContext): Reply {
  const { target, github } = ctx;
  const slug = `**${escapeText(target.slug)}**`;
  const wait = rateLimitWait(error, ctx.now);
  if (wait !== undefined) {
    const at = new Date(ctx.now.getTime() + wait * 1000).toISOString().slice(11, 16);
    return reply(
      `GitHub's rate limit is reached; ask again ${within(wait)} (${at} UTC).`,
      section(`GitHub's rate limit for Callboard is reached, so I could not finish ${ctx.what} for ${slug}.`),
      context(`Ask again ${within(wait)} (after ${at} UTC). Callboard does not keep you waiting for it.`),
    );
  }
  const failure = httpFailure(error);
  const as = ctx.actingAs ?? "Callboard's GitHub credentials";
  if (failure?.status === 404) {
    const where = target.entry.definedIn ? ` in ${target.entry.definedIn}` : "";
    return reply(
      `GitHub has no repository ${target.slug}, or ${as} cannot see it.`,
      section(`GitHub has no repository ${slug}, or ${escapeText(as)} cannot see it.`),
      context(
        `Check \`${SLUG_ANNOTATION}\`${where}; if the repository is there, give ${escapeText(as)} read access to it.`,
      ),
    );
  }
  if (failure?.status === 401) {
    return reply(
      "GitHub refused Callboard's credentials.",
      section(`GitHub refused Callboard's credentials (401) while ${ctx.what} for ${slug}.`),
      context(
        "The token may have expired or been revoked: set a new GITHUB_TOKEN, or check GITHUB_APP_ID and its private key.",
      ),
    );
  }
  if (failure?.status === 403) {
    return reply(
      `GitHub refused ${ctx.what} for ${target.slug}.`,
      section(`GitHub refused ${ctx.what} for ${slug}: ${escapeText(github.redact(failure.message))} (403).`),
      context(
        `${escapeText(as)} needs read access to the repository's contents, pull requests, actions and checks.`,
      ),
    );
  }
  // Anything else (GitHub down, the network): what GitHub or the connection said, without credentials.
  const said = github.describeError(error, `${ctx.what} for ${target.slug}`).message;
  return reply(
    `GitHub did not answer: ${said}`,
    section(`I could not reach GitHub while ${ctx.what} for ${slug}.`),
    context(escapeText(said.slice(0, 500))),
  );
}

/** The answer when the client cannot act for the repository's owner at all (no installation, no token). */
export function notSetUpReply(error: unknown, github: GitHubClient, target: RepositoryTarget): Reply {
  const said = github.redact(error instanceof Error ? error.message : String(error));
  return reply(
    said,
    section(`I cannot read **${escapeText(target.slug)}**: ${escapeText(said)}`),
    context(
      "GitHub settings: GITHUB_TOKEN, or GITHUB_APP_ID with GITHUB_APP_PRIVATE_KEY (or GITHUB_APP_PRIVATE_KEY_FILE) and, to use one installation only, GITHUB_APP_INSTALLATION_ID; GITHUB_API_URL for GitHub Enterprise Server.",
    ),
  );
}

/** The answer when GitHub is not configured at all. */
export function notConfiguredReply(): Reply {
  return reply(
    "GitHub is not configured: set GITHUB_TOKEN, or GITHUB_APP_ID and its private key.",
    section("GitHub is not configured, so I cannot read repositories."),
    context(
      "Set GITHUB_TOKEN (a token that can read the repositories), or a GitHub App: GITHUB_APP_ID with GITHUB_APP_PRIVATE_KEY or GITHUB_APP_PRIVATE_KEY_FILE (`github.app.id`, `github.app.privateKeyFile` in callboard.yaml). For GitHub Enterprise Server, also GITHUB_API_URL (`github.apiUrl`).",
    ),
  );
}
