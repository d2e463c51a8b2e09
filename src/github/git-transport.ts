/**
 * Git over smart HTTP to GitHub with isomorphic-git: a folder committed and pushed as a branch, and a
 * branch cloned to build on. Authentication is GitHub's: the token as the basic-auth password of user
 * `x-access-token`, given through onAuth so it is never part of a URL; errors are redacted.
 */
import * as fs from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import git from "isomorphic-git";
import http from "isomorphic-git/http/node";

export interface GitAuthor {
  name: string;
  email: string;
}

export interface GitRemote {
  /** https://github.com/acme/payments.git */
  url: string;
  token: () => Promise<string>;
  /** Applied to every error message before it leaves. */
  redact: (text: string) => string;
}

async function auth(remote: GitRemote) {
  const password = await remote.token();
  return () => ({ username: "x-access-token", password });
}

function gitError(remote: GitRemote, what: string, error: unknown): Error {
  const raw = error as { message?: string; data?: { statusCode?: number; statusMessage?: string } };
  const status = raw.data?.statusCode ? ` (HTTP ${raw.data.statusCode} ${raw.data.statusMessage ?? ""})` : "";
  return new Error(
    remote.redact(`git ${what} ${remote.url} failed${status}: ${raw.message ?? String(error)}`),
  );
}

/**
 * Commits every file of `dir` (what .gitignore keeps out stays out) as one commit with no parent and
 * pushes it as `branch`. The commit's time is given, so a retry with the same files makes the same
 * commit and its push changes nothing.
 */
export async function pushFolderAsFirstCommit(options: {
  dir: string;
  remote: GitRemote;
  branch: string;
  message: string;
  author: GitAuthor;
  /** Seconds since the epoch. */
  timestamp: number;
  signal?: AbortSignal;
}): Promise<string> {
  const gitdir = await mkdtemp(join(tmpdir(), "callboard-push-"));
  try {
    await git.init({ fs, dir: options.dir, gitdir, defaultBranch: options.branch });
    await git.add({ fs, dir: options.dir, gitdir, filepath: "." });
    options.signal?.throwIfAborted();
    const who = { ...options.author, timestamp: options.timestamp, timezoneOffset: 0 };
    const sha = await git.commit({
      fs,
      dir: options.dir,
      gitdir,
      message: options.message,
      author: who,
      committer: who,
    });
    await push(options.remote, { dir: options.dir, gitdir, branch: options.branch });
    return sha;
  } finally {
    await rm(gitdir, { recursive: true, force: true });
  }
}

async function push(
  remote: GitRemote,
  where: { dir: string; gitdir: string; branch: string },
): Promise<void> {
  let result;
  try {
    result = await git.push({
      fs,
      http,
      dir: where.dir,
      gitdir: where.gitdir,
      url: remote.url,
      ref: where.branch,
      remoteRef: `refs/heads/${where.branch}`,
      onAuth: await auth(remote),
    });
  } catch (error) {
    throw gitError(remote, `push to`, error);
  }
  const refused = result.refs[`refs/heads/${where.branch}`];
  if (!result.ok || (refused && !refused.ok)) {
    throw new Error(
      remote.redact(
        `git push to ${remote.url} was refused for branch ${where.branch}: ${refused?.error ?? result.error ?? "no reason given"}`,
      ),
    );
  }
}

/** The commit a remote branch points at, or undefined when there is no such branch. */
export async function remoteBranchSha(remote: GitRemote, branch: string): Promise<string | undefined> {
  try {
    const refs = await git.listServerRefs({
      http,
      url: remote.url,
      prefix: `refs/heads/${branch}`,
      onAuth: await auth(remote),
    });
    return refs.find((r) => r.ref === `refs/heads/${branch}`)?.oid;
  } catch (error) {
    throw gitError(remote, "reading the branches of", error);
  }
}

/** The branch a change was to be pushed as already holds other commits. */
export class BranchExistsError extends Error {
  override name = "BranchExistsError";
}

/**
 * Clones branch `from` (its last commit), lets `change` write into the checkout, commits what changed
 * and pushes it as branch `head`. With `from` the base branch, `head` must be new, or already hold
 * exactly this commit (the same change at the same `timestamp`: a retry); otherwise BranchExistsError.
 * Returns the commit, or undefined when `change` changed nothing.
 */
export async function pushChangesAsBranch(options: {
  remote: GitRemote;
  from: string;
  head: string;
  message: string;
  author: GitAuthor;
  /** Seconds since the epoch. */
  timestamp: number;
  change: (checkout: string) => Promise<void>;
  signal?: AbortSignal;
}): Promise<string | undefined> {
  const dir = await mkdtemp(join(tmpdir(), "callboard-branch-"));
  try {
    try {
      await git.clone({
        fs,
        http,
        dir,
        url: options.remote.url,
        ref: options.from,
        singleBranch: true,
        depth: 1,
        onAuth: await auth(options.remote),
      });
    } catch (error) {
      throw gitError(options.remote, `clone of branch ${options.from} from`, error);
    }
    options.signal?.throwIfAborted();
    await options.change(dir);
    const matrix = await git.statusMatrix({ fs, dir });
    const changed = matrix.filter(
      ([, head, workdir, stage]) => !(head === 1 && workdir === 1 && stage === 1),
    );
    if (changed.length === 0) return undefined;
    for (const [filepath, , workdir] of changed) {
      if (workdir === 0) await git.remove({ fs, dir, filepath });
      else await git.add({ fs, dir, filepath });
    }
    if (options.head !== options.from) await git.branch({ fs, dir, ref: options.head, checkout: true });
    const who = { ...options.author, timestamp: options.timestamp, timezoneOffset: 0 };
    const sha = await git.commit({ fs, dir, message: options.message, author: who, committer: who });
    options.signal?.throwIfAborted();
    const current = await remoteBranchSha(options.remote, options.head);
    if (current === sha) return sha;
    if (current && options.head !== options.from) {
      throw new BranchExistsError(`The branch ${options.head} already exists with other commits.`);
    }
    await push(options.remote, { dir, gitdir: join(dir, ".git"), branch: options.head });
    return sha;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
