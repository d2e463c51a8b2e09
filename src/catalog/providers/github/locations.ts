/**
 * How GitHub catalog locations are named. A location is one catalog file in one repository, keyed
 * `github:<host>/<owner>/<repo>/<path>` (owner and repository in lower case, as GitHub compares them), so a
 * location survives a change of branch and is found again from a push's file list. What people paste are web
 * URLs (`https://github.com/acme/payments/blob/main/catalog-info.yaml`, `.../tree/main/docs`).
 */

export const GITHUB_PROVIDER_ID = "github";
const SCHEME = "github:";

export interface RepoFile {
  host: string;
  owner: string;
  repo: string;
  /** Path of the file inside the repository, without a leading slash. */
  path: string;
}

export function githubLocationKey(file: RepoFile): string {
  return `${SCHEME}${file.host.toLowerCase()}/${file.owner.toLowerCase()}/${file.repo.toLowerCase()}/${file.path}`;
}

export function isGitHubLocationKey(key: string): boolean {
  return key.startsWith(SCHEME);
}

/** The parts of a `github:` key, or undefined when it is not one. */
export function parseGitHubLocationKey(key: string): RepoFile | undefined {
  if (!key.startsWith(SCHEME)) return undefined;
  const [host, owner, repo, ...rest] = key.slice(SCHEME.length).split("/");
  if (!host || !owner || !repo || rest.length === 0 || rest.some((s) => s === "" || s === "..")) {
    return undefined;
  }
  return { host, owner, repo, path: rest.join("/") };
}

/** `owner/repo` of a key, for messages. */
export function repositoryOfKey(key: string): string | undefined {
  const file = parseGitHubLocationKey(key);
  return file ? `${file.owner}/${file.repo}` : undefined;
}

export interface GitHubWebUrl {
  host: string;
  owner: string;
  repo: string;
  /** `blob` (a file), `tree` (a folder), or absent for the repository itself. */
  kind?: "blob" | "tree";
  /** After `blob/` or `tree/`: the ref and the path, which GitHub does not separate (a branch may hold `/`). */
  rest: string[];
}

/** A repository, file or folder URL on `webOrigin` (https://github.com or an Enterprise Server's origin). */
export function parseGitHubWebUrl(text: string, webOrigin: string): GitHubWebUrl | { error: string } {
  if (!URL.canParse(text)) return { error: `"${text}" is not a URL` };
  const url = new URL(text);
  const origin = new URL(webOrigin);
  if (url.host.toLowerCase() !== origin.host.toLowerCase()) {
    return { error: `${url.host} is not the configured GitHub (${origin.host})` };
  }
  let segments: string[];
  try {
    segments = url.pathname
      .split("/")
      .filter(Boolean)
      .map((s) => decodeURIComponent(s));
  } catch {
    return { error: `${text} has a malformed %-escape` };
  }
  const [owner, rawRepo, kind, ...rest] = segments;
  const repo = rawRepo?.replace(/\.git$/, "");
  if (!owner || !repo)
    return { error: `${text} names no repository (https://${origin.host}/<owner>/<repo>)` };
  // Segments are decoded: an encoded slash or dot-dot must not become a path step later.
  if (segments.some((s) => s === ".." || s === "." || /[/\\\0]/.test(s))) {
    return { error: `${text} is not a plain path` };
  }
  if (kind === undefined) return { host: origin.host.toLowerCase(), owner, repo, rest: [] };
  if (kind !== "blob" && kind !== "tree") {
    return {
      error: `${text} is neither a file (…/blob/<branch>/<path>) nor a folder (…/tree/<branch>/<path>)`,
    };
  }
  if (rest.length === 0) return { error: `${text} names no branch` };
  return { host: origin.host.toLowerCase(), owner, repo, kind, rest };
}

/** The web URL a file of a repository is read under (locations in problems and annotations name it). */
export function blobUrl(
  webOrigin: string,
  owner: string,
  repo: string,
  branch: string,
  path: string,
): string {
  const encoded = path
    .split("/")
    .map((s) => encodeURIComponent(s))
    .join("/");
  return `${webOrigin}/${owner}/${repo}/blob/${encodeURIComponent(branch)}/${encoded}`;
}
