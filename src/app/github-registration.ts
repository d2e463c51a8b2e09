/**
 * `catalog:register` after `publish:github`: the catalog file's URL is a GitHub page
 * (`<web>/<owner>/<repo>/blob/<branch>/catalog-info.yaml`), which a plain HTTP read cannot use (GitHub answers
 * HTML, a private repository a login page). Such a URL, on the GitHub this Callboard is configured for, is read
 * through the contents API of that repository with the configured credentials, as GitHub discovery reads its
 * locations; any other URL keeps the catalog's own reader.
 */
import type { LocationReader } from "../catalog/catalog-service.ts";
import { parseGitHubWebUrl } from "../catalog/providers/github/locations.ts";
import { readRepoLocation } from "../catalog/providers/github/repo-reader.ts";
import { FileCache, newCounters } from "../catalog/providers/github/repo-files.ts";
import type { GitHubClient } from "../github/github-client.ts";

/** The reader for `target` when it is a file on the configured GitHub, else undefined. */
export function githubFileReader(
  client: GitHubClient,
  target: string,
  maxBytes: number,
): LocationReader | undefined {
  const url = target.replace(/^url:/i, "");
  if (!/^https?:\/\//i.test(url)) return undefined;
  const parsed = parseGitHubWebUrl(url, client.webUrl);
  // Another host is the catalog's to read (or refuse); a GitHub URL that is not a file is reported by it too.
  if ("error" in parsed || parsed.kind !== "blob") return undefined;
  // A branch with "/" in its name cannot be told from a folder: the first segment is the branch, as GitHub's
  // own short links assume.
  const [branch, ...rest] = parsed.rest;
  const path = rest.join("/");
  if (!branch || !path) return undefined;
  return async () => {
    const session = await client.forOwner(parsed.owner).catch((error: unknown) => {
      throw client.describeError(error, `finding how to read ${parsed.owner}/${parsed.repo}`);
    });
    const read = await readRepoLocation({
      octokit: session.octokit,
      webOrigin: client.webUrl,
      owner: parsed.owner,
      repo: parsed.repo,
      branch,
      path,
      maxBytes,
      cache: new FileCache(64),
      counters: newCounters(),
    });
    if (!read.rootFound) {
      throw new Error(`${url} does not exist: ${parsed.owner}/${parsed.repo} has no ${path} on ${branch}.`);
    }
    return read;
  };
}
