/**
 * What discovery asks GitHub besides file contents: a page of an account's repositories (conditionally: a
 * 304 says nothing on the page changed), and a repository's paths that match a catalog glob.
 */
import { RequestError, type Octokit } from "octokit";
import { repoInfoOf, type RepoInfo } from "./discovery-settings.ts";
import type { RequestCounters } from "./repo-files.ts";

export interface ListedPage {
  /** False when GitHub answered 304: the page is as it was (`repos` is then empty). */
  changed: boolean;
  etag?: string;
  repos: RepoInfo[];
  hasNext: boolean;
}

/**
 * One page of 100 repositories: an App installation's (`/installation/repositories`), or an organisation's as
 * the token sees them (`/orgs/{org}/repos`), with If-None-Match when an ETag is known.
 */
export async function listRepositories(
  octokit: Octokit,
  options: { installation: boolean; org: string; page: number; etag: string | undefined },
  counters: RequestCounters,
): Promise<ListedPage> {
  const headers = options.etag ? { "if-none-match": options.etag } : {};
  const page = options.page;
  counters.requests++;
  try {
    if (options.installation) {
      const response = await octokit.request("GET /installation/repositories", {
        per_page: 100,
        page,
        headers,
      });
      return {
        changed: true,
        ...(response.headers.etag ? { etag: response.headers.etag } : {}),
        repos: response.data.repositories.map(repoInfoOf),
        hasNext: /rel="next"/.test(response.headers.link ?? ""),
      };
    }
    const response = await octokit.request("GET /orgs/{org}/repos", {
      org: options.org,
      per_page: 100,
      page,
      headers,
    });
    return {
      changed: true,
      ...(response.headers.etag ? { etag: response.headers.etag } : {}),
      repos: response.data.map(repoInfoOf),
      hasNext: /rel="next"/.test(response.headers.link ?? ""),
    };
  } catch (error) {
    if (error instanceof RequestError && error.status === 304) {
      counters.notModified++;
      return { changed: false, repos: [], hasNext: false };
    }
    throw error;
  }
}

/**
 * Every file of the repository at `branch` whose path `matches` (the git tree, recursively), sorted by path,
 * each with its blob sha: the content version the reader compares with its last read without downloading.
 */
export async function matchingPaths(
  octokit: Octokit,
  at: { owner: string; repo: string; branch: string },
  matches: (path: string) => boolean,
  counters: RequestCounters,
): Promise<Array<{ path: string; sha: string }>> {
  counters.requests++;
  try {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", {
      owner: at.owner,
      repo: at.repo,
      tree_sha: at.branch,
      recursive: "1",
    });
    return data.tree
      .filter((entry) => entry.type === "blob" && entry.path && entry.sha && matches(entry.path))
      .map((entry) => ({ path: entry.path!, sha: entry.sha! }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  } catch (error) {
    // An empty repository, or a branch it does not have: no catalog files.
    if (error instanceof RequestError && (error.status === 404 || error.status === 409)) return [];
    throw error;
  }
}
