/**
 * `backstage.io/techdocs-ref: url:<github tree url>` sources: the folder the URL names, fetched from GitHub as
 * the repository's tarball at that commit and unpacked (only that folder) into a cache keyed by commit, so a
 * commit is downloaded once whoever asks. The docs engine calls fetchDocsTree and builds from the folder.
 *
 * Untrusted archive content: entries are kept only when they are plain files or folders inside the requested
 * folder (no `..`, no absolute paths, no links), and the unpacked size and file count are capped.
 */
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { RequestError } from "octokit";
import { extract as tarExtract } from "tar-stream";
import type { GitHubClient } from "../../../github/github-client.ts";
import { parseGitHubWebUrl } from "./locations.ts";

export interface DocsTree {
  /** The local folder holding the docs source (mkdocs.yml and docs/ when the URL names the docs root). */
  dir: string;
  /** The commit it was taken from. */
  commit: string;
  /** Whether the cache already held it (nothing was downloaded). */
  cached: boolean;
}

export interface DocsTreeOptions {
  client: GitHubClient;
  /** Where unpacked trees are kept: `<cacheDir>/<host>/<owner>/<repo>/<commit>/<folder>`. */
  cacheDir: string;
  /** Largest unpacked size of the folder, in bytes (100 MiB). */
  maxBytes?: number;
  /** Most files the folder may hold (20,000). */
  maxFiles?: number;
  /**
   * Copies of one repository folder kept, the most recently used (3): a branch that moves leaves its old
   * commits behind, and a few are kept so sites naming one folder at different refs do not evict each other.
   */
  keepCommits?: number;
}

export class DocsTreeError extends Error {
  override name = "DocsTreeError";
}

/**
 * Fetch the folder a GitHub tree URL names (`https://github.com/acme/payments/tree/main/docs`, or the
 * repository URL for its root at the default branch) into the cache, and return where it is.
 */
export async function fetchDocsTree(url: string, options: DocsTreeOptions): Promise<DocsTree> {
  const { client } = options;
  const parsed = parseGitHubWebUrl(url, client.webUrl);
  if ("error" in parsed) throw new DocsTreeError(`techdocs-ref url:${url}: ${parsed.error}`);
  if (parsed.kind === "blob") {
    throw new DocsTreeError(
      `techdocs-ref url:${url} names a file; name the folder holding mkdocs.yml (…/tree/…)`,
    );
  }
  const session = await client.forOwner(parsed.owner);
  const { octokit } = session;
  const what = `fetching the docs at ${url}`;
  let found: { commit: string; path: string } | undefined;
  try {
    found = await resolveTreeRef(octokit, parsed.owner, parsed.repo, parsed.rest);
  } catch (error) {
    throw client.describeError(error, what);
  }
  if (!found)
    throw new DocsTreeError(
      `techdocs-ref url:${url}: no branch, tag or commit of ${parsed.owner}/${parsed.repo} matches`,
    );
  const { commit, path } = found;
  const base = resolve(
    options.cacheDir,
    parsed.host.replace(/:/g, "_"),
    parsed.owner.toLowerCase(),
    parsed.repo.toLowerCase(),
    commit,
  );
  const dir = path === "" ? join(base, "@root") : join(base, "tree", ...path.split("/"));
  if (!dir.startsWith(base + sep))
    throw new DocsTreeError(`techdocs-ref url:${url}: the path leaves the repository`);
  const marker = `${dir}.complete`;
  if (existsSync(marker)) {
    // The marker's time says when the copy was last used: the copies kept are the most recently used.
    await touch(marker);
    return { dir, commit, cached: true };
  }
  // A commit never changes: a folder it lacks, or one over the limits, is remembered too, so a docs source
  // that keeps failing costs no download per check.
  const maxBytes = options.maxBytes ?? 100 * 1024 * 1024;
  const maxFiles = options.maxFiles ?? 20_000;
  const refused = [`${dir}.absent`, `${dir}.over-${maxBytes}-${maxFiles}`];
  for (const file of refused) {
    if (existsSync(file)) throw new DocsTreeError(await readFile(file, "utf8"));
  }

  const staging = `${dir}.tmp-${randomBytes(6).toString("hex")}`;
  await mkdir(staging, { recursive: true });
  try {
    let body: ReadableStream<Uint8Array>;
    try {
      const response = await octokit.request("GET /repos/{owner}/{repo}/tarball/{ref}", {
        owner: parsed.owner,
        repo: parsed.repo,
        ref: commit,
        request: { parseSuccessResponseBody: false },
      });
      body = response.data as unknown as ReadableStream<Uint8Array>;
    } catch (error) {
      throw client.describeError(error, what);
    }
    let written: number;
    try {
      written = await unpackFolder(body, path, staging, { maxBytes, maxFiles, url });
    } catch (error) {
      if (error instanceof DocsTreeError) await remember(refused[1]!, error.message);
      throw error;
    }
    if (written === 0) {
      const message = `techdocs-ref url:${url}: ${parsed.owner}/${parsed.repo} has no folder "${path}" at ${commit.slice(0, 7)}`;
      await remember(refused[0]!, message);
      throw new DocsTreeError(message);
    }
    await mkdir(dirname(dir), { recursive: true });
    try {
      await rename(staging, dir);
    } catch (error) {
      // Another fetch of the same commit finished first: its copy is as good.
      if (!existsSync(dir)) throw error;
      await rm(staging, { recursive: true, force: true });
    }
    await writeFile(marker, `${new Date().toISOString()}\n`);
    await dropOlderCopies(dirname(base), relative(base, dir), options.keepCommits ?? 3);
    return { dir, commit, cached: false };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/**
 * A push as GitHub's `push` webhook describes it, handed to whoever follows the repository's docs (the
 * composition root hands it to the docs service): which ref moved and, when GitHub listed them all, which files.
 */
export interface RepoPush {
  owner: string;
  repo: string;
  /** The full ref that moved: `refs/heads/<branch>` or `refs/tags/<tag>`. */
  ref: string;
  /** The repository's default branch, which a bare repository URL names. */
  defaultBranch?: string;
  /**
   * The files the push added, changed or removed; undefined when GitHub's list is not the whole change (over
   * 20 commits, a forced push, a ref created or deleted), so every folder counts as touched.
   */
  paths?: string[];
}

/**
 * Whether a push may have changed what a `url:` docs source (a tree URL, or a bare repository URL) names: the
 * same repository, a ref the URL starts with, and a touched file inside the folder after that ref. A branch
 * may hold `/`, so the URL's segments are matched against the pushed ref's rather than split first; a URL
 * read another way (another ref of the same name prefix) only costs a conditional check, never a missed one.
 * A URL naming a commit sha never matches: a commit does not change.
 */
export function pushTouchesDocs(push: RepoPush, url: string, webOrigin: string): boolean {
  const parsed = parseGitHubWebUrl(url, webOrigin);
  if ("error" in parsed || parsed.kind === "blob") return false;
  if (parsed.owner.toLowerCase() !== push.owner.toLowerCase()) return false;
  if (parsed.repo.toLowerCase() !== push.repo.toLowerCase()) return false;
  const branch = push.ref.startsWith("refs/heads/") ? push.ref.slice("refs/heads/".length) : undefined;
  const tag = push.ref.startsWith("refs/tags/") ? push.ref.slice("refs/tags/".length) : undefined;
  let folder: string[];
  if (parsed.rest.length === 0) {
    // The repository's root on its default branch.
    if (branch === undefined || branch !== push.defaultBranch) return false;
    folder = [];
  } else {
    const name = (branch ?? tag)?.split("/");
    if (!name || name.some((s) => s === "") || name.length > parsed.rest.length) return false;
    if (name.some((segment, i) => parsed.rest[i] !== segment)) return false;
    folder = parsed.rest.slice(name.length);
  }
  if (push.paths === undefined || folder.length === 0) return true;
  // The folder's own path too: a file put where the folder was makes the source fail, which is news.
  const path = folder.join("/");
  return push.paths.some((touched) => touched === path || touched.startsWith(`${path}/`));
}

async function touch(file: string): Promise<void> {
  try {
    const now = new Date();
    await utimes(file, now, now);
  } catch {
    // Best effort: a copy whose use was not recorded may be dropped sooner and downloaded again.
  }
}

/**
 * Drop all but the `keep` most recently used copies of one folder (`inCommit`, e.g. `tree/docs`) across the
 * commits of a repository (`repoDir/<commit>/…`), and commit folders left empty. Best effort: a copy that
 * cannot be removed stays.
 */
async function dropOlderCopies(repoDir: string, inCommit: string, keep: number): Promise<void> {
  try {
    const copies: Array<{ commitDir: string; dir: string; used: number }> = [];
    for (const commit of await readdir(repoDir)) {
      if (!/^[0-9a-f]{40}$/.test(commit)) continue;
      const commitDir = join(repoDir, commit);
      const dir = join(commitDir, inCommit);
      try {
        copies.push({ commitDir, dir, used: (await stat(`${dir}.complete`)).mtimeMs });
      } catch {
        // No complete copy of this folder at that commit.
      }
    }
    copies.sort((a, b) => b.used - a.used);
    for (const old of copies.slice(keep)) {
      // The marker goes first: a copy without it is never served, whatever is left of it.
      await rm(`${old.dir}.complete`, { force: true });
      await rm(old.dir, { recursive: true, force: true });
      await removeEmptyFolders(dirname(old.dir), old.commitDir);
    }
  } catch {
    // The cache only grows: nothing served depends on this.
  }
}

/** Remove `from` and its parents up to and including `upTo` while they are empty. */
async function removeEmptyFolders(from: string, upTo: string): Promise<void> {
  for (let dir = from; dir === upTo || dir.startsWith(upTo + sep); dir = dirname(dir)) {
    if ((await readdir(dir)).length > 0) return;
    await rm(dir, { recursive: true, force: true });
    if (dir === upTo) return;
  }
}

/** Write a refusal beside where the folder would be (best effort: without it the next check downloads again). */
async function remember(file: string, message: string): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, message);
  } catch {
    // The cache folder is not writable: nothing is remembered, which costs a download, not correctness.
  }
}

/**
 * A tree URL's segments after `tree/` are a ref then a path, and a branch may contain `/`: the shortest
 * prefix that names a branch, a tag or a commit is the ref.
 */
async function resolveTreeRef(
  octokit: Awaited<ReturnType<GitHubClient["forOwner"]>>["octokit"],
  owner: string,
  repo: string,
  rest: string[],
): Promise<{ commit: string; path: string } | undefined> {
  if (rest.length === 0) {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}", { owner, repo });
    rest = [data.default_branch];
  }
  for (let i = 1; i <= rest.length && i <= 10; i++) {
    const ref = rest.slice(0, i).join("/");
    const path = rest.slice(i).join("/");
    if (/^[0-9a-f]{40}$/.test(ref)) return { commit: ref, path };
    for (const kind of ["heads", "tags"]) {
      try {
        const { data } = await octokit.request("GET /repos/{owner}/{repo}/git/ref/{ref}", {
          owner,
          repo,
          ref: `${kind}/${ref}`,
        });
        if (data.object.type === "commit") return { commit: data.object.sha, path };
      } catch (error) {
        if (!(error instanceof RequestError && error.status === 404)) throw error;
      }
    }
  }
  return undefined;
}

/** Unpack the archive's entries under `folder` into `into`; returns how many files were written. */
async function unpackFolder(
  body: ReadableStream<Uint8Array>,
  folder: string,
  into: string,
  limits: { maxBytes: number; maxFiles: number; url: string },
): Promise<number> {
  const extract = tarExtract();
  const gunzip = createGunzip();
  const feeding = pipeline(Readable.fromWeb(body as NodeReadableStream), gunzip, extract);
  feeding.catch(() => undefined);
  let files = 0;
  let bytes = 0;
  const prefix = folder === "" ? "" : `${folder}/`;
  for await (const entry of extract) {
    const name = entry.header.name;
    // Every entry sits under one top folder (`owner-repo-sha/`); the pax header entry has none.
    const inRepo = name.split("/").slice(1).join("/");
    const inside =
      prefix === "" ? inRepo : inRepo.startsWith(prefix) ? inRepo.slice(prefix.length) : undefined;
    const type = entry.header.type;
    if (inside === undefined || inside === "" || (type !== "file" && type !== "directory")) {
      entry.resume();
      continue;
    }
    const target = resolve(into, inside);
    if (inside.split("/").includes("..") || relative(into, target).startsWith("..") || target === into) {
      entry.resume();
      continue;
    }
    if (type === "directory") {
      await mkdir(target, { recursive: true });
      entry.resume();
      continue;
    }
    files++;
    bytes += entry.header.size ?? 0;
    if (files > limits.maxFiles || bytes > limits.maxBytes) {
      entry.resume();
      extract.destroy();
      throw new DocsTreeError(
        `techdocs-ref url:${limits.url}: the folder holds more than ${files > limits.maxFiles ? `${limits.maxFiles} files` : `${limits.maxBytes} bytes`}; docs sources must be smaller`,
      );
    }
    await mkdir(dirname(target), { recursive: true });
    await pipeline(entry, createWriteStream(target, { mode: 0o644 }));
  }
  await feeding;
  return files;
}
