/**
 * What every GitHub action starts with: the repository its repoUrl names (on a configured GitHub host
 * only), the session that acts for it, and the git remote to push to.
 */
import type { GitHubClient, GitHubSession } from "../../../github/github-client.ts";
import type { GitRemote } from "../../../github/git-transport.ts";
import { parseRepoUrl } from "../../parameters/repo-url.ts";
import { ScaffolderInputError } from "../action.ts";

export interface GitHubTarget {
  owner: string;
  repo: string;
  fullName: string;
}

const NAME = /^[A-Za-z0-9._-]{1,100}$/;

/** `github.com?owner=acme&repo=payments`, checked against the GitHub host this Callboard reaches. */
export function githubTarget(actionId: string, repoUrl: string, client: GitHubClient): GitHubTarget {
  let parsed;
  try {
    parsed = parseRepoUrl(repoUrl);
  } catch (error) {
    throw new ScaffolderInputError(`${actionId}: ${(error as Error).message}`);
  }
  if (parsed.host.toLowerCase() !== client.host.toLowerCase()) {
    throw new ScaffolderInputError(
      `${actionId}: "${parsed.host}" in repoUrl is not the configured GitHub host; Callboard reaches GitHub at ${client.host} (GITHUB_API_URL). Use ${client.host}?owner=<owner>&repo=<name>.`,
    );
  }
  const owner = parsed.owner ?? parsed.organization;
  if (!owner) {
    throw new ScaffolderInputError(
      `${actionId}: repoUrl "${repoUrl}" names no owner; add &owner=<user or organisation>.`,
    );
  }
  for (const [what, value] of [
    ["owner", owner],
    ["repository name", parsed.repo],
  ] as const) {
    if (!NAME.test(value) || value === "." || value === "..") {
      throw new ScaffolderInputError(
        `${actionId}: "${value}" is not a usable GitHub ${what}; use letters, digits, ".", "_" and "-".`,
      );
    }
  }
  return { owner, repo: parsed.repo, fullName: `${owner}/${parsed.repo}` };
}

/** The step's own token when the template passes one (a user's), else the configured credentials. */
export async function sessionFor(
  client: GitHubClient,
  target: GitHubTarget,
  token: string | undefined,
): Promise<GitHubSession> {
  if (token) return client.withToken(token);
  try {
    return await client.forOwner(target.owner);
  } catch (error) {
    throw client.describeError(error, `finding how to act for ${target.owner}`);
  }
}

export function gitRemote(client: GitHubClient, session: GitHubSession, cloneUrl: string): GitRemote {
  return { url: cloneUrl, token: () => session.gitToken(), redact: (text) => client.redact(text) };
}

/** `user:default/alice` or `group:acme/platform` as the GitHub name at its end. */
export function entityRefToName(ref: string): string {
  return ref.replace(/^.*[:/]/, "");
}

export function isNotFound(error: unknown): boolean {
  return (error as { status?: number })?.status === 404;
}
