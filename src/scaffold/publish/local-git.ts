import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import git from "isomorphic-git";
import { ScaffolderInputError, type ScaffolderAction } from "../actions/action.ts";
import { parseRepoUrl } from "../parameters/repo-url.ts";
import { resolveInsideReal } from "../workspace/safe-path.ts";

export interface LocalPublishInput {
  repoUrl: string;
  description?: string;
  defaultBranch?: string;
  gitCommitMessage?: string;
  gitAuthorName?: string;
  gitAuthorEmail?: string;
  sourcePath?: string;
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Where a repository published from `repoUrl` lives under `root`: the bare repository and its checkout. */
export function localRepositoryPaths(
  root: string,
  repoUrl: string,
): { bare: string; checkout: string; name: string } {
  let parsed;
  try {
    parsed = parseRepoUrl(repoUrl);
  } catch (error) {
    throw new ScaffolderInputError(`publish:local: ${(error as Error).message}`);
  }
  const parts = [parsed.host, parsed.owner ?? parsed.organization ?? "_", parsed.repo];
  for (const part of parts) {
    if (!SEGMENT.test(part) || part.endsWith(".git") || part.length > 100) {
      throw new ScaffolderInputError(
        `publish:local: "${part}" in ${repoUrl} cannot name a folder; use letters, digits, ".", "_" and "-".`,
      );
    }
  }
  const [host, owner, repo] = parts as [string, string, string];
  return {
    bare: join(root, host, owner, `${repo}.git`),
    checkout: join(root, host, owner, repo),
    name: `${owner}/${repo}`,
  };
}

/**
 * `publish:local`: Callboard's embedded publisher. The id follows Backstage's `publish:<where>` family
 * (publish:github, publish:gitlab) so templates read the same; "local" because the repository is a bare
 * git repository on this server, under the data folder, made with isomorphic-git (no git binary needed).
 * It also keeps a checkout beside it, which `repoContentsUrl` points at, so `catalog:register` can read
 * the new catalog-info.yaml. Both are built in a staging folder and moved into place at the end, so a
 * failure leaves nothing half-written; an existing repository is never overwritten.
 */
export function publishLocalAction(options: { root: string }): ScaffolderAction<LocalPublishInput> {
  return {
    id: "publish:local",
    description:
      "Creates a git repository on this server (under the data folder) from the workspace and commits it.",
    schema: {
      input: {
        type: "object",
        required: ["repoUrl"],
        properties: {
          repoUrl: {
            type: "string",
            description: "host?owner=<owner>&repo=<name>, as RepoUrlPicker gives it.",
          },
          description: { type: "string" },
          defaultBranch: { type: "string", default: "main" },
          gitCommitMessage: { type: "string", default: "initial commit" },
          gitAuthorName: { type: "string" },
          gitAuthorEmail: { type: "string" },
          sourcePath: {
            type: "string",
            description: "Publish this folder of the workspace instead of all of it.",
          },
        },
      },
      output: {
        type: "object",
        required: ["remoteUrl", "repoContentsUrl", "commitHash"],
        properties: {
          remoteUrl: { type: "string", description: "file:// URL of the bare repository, for git clone." },
          repoContentsUrl: { type: "string", description: "file:// URL of the repository's files." },
          commitHash: { type: "string" },
        },
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const paths = localRepositoryPaths(options.root, input.repoUrl);
      const source = await resolveInsideReal(ctx.workspacePath, input.sourcePath ?? ".", "sourcePath");
      const branch = input.defaultBranch ?? "main";
      if (!/^[A-Za-z0-9._/-]+$/.test(branch) || branch.includes("..")) {
        throw new ScaffolderInputError(`publish:local: "${branch}" is not a usable branch name.`);
      }
      // A retried task finds the repository it already made and does not try to make it again: through the
      // checkpoint, or, when the task stopped after making it but before the checkpoint was kept, through
      // the task id the repository carries.
      const commitHash = await ctx.checkpoint({
        key: `publish.local.${paths.name}`,
        fn: async () => {
          if (await exists(paths.bare)) {
            const own = await ownRepository(paths, branch, ctx.task.id);
            if (own) return own;
            throw new ScaffolderInputError(
              `publish:local: the repository ${paths.name} already exists (${paths.bare}); choose another name.`,
            );
          }
          return createRepository(source, paths, branch, input, ctx.signal, ctx.task.id);
        },
      });
      ctx.logger.info(`Published ${paths.name} to ${paths.bare} (commit ${commitHash.slice(0, 12)}).`);
      ctx.output("remoteUrl", pathToFileURL(paths.bare).href);
      ctx.output("repoContentsUrl", pathToFileURL(paths.checkout).href);
      ctx.output("commitHash", commitHash);
    },
  };
}

async function createRepository(
  source: string,
  paths: { bare: string; checkout: string },
  branch: string,
  input: LocalPublishInput,
  signal: AbortSignal,
  taskId: string,
): Promise<string> {
  const staging = join(dirname(paths.bare), `.staging-${randomUUID()}`);
  const gitdir = join(staging, "repo.git");
  const checkout = join(staging, "checkout");
  try {
    await mkdir(checkout, { recursive: true });
    await git.init({ fs, gitdir, bare: true, defaultBranch: branch });
    for (const [key, value] of [
      ["core.filemode", true],
      ["core.symlinks", true],
      ["core.ignorecase", false],
      [TASK_CONFIG, taskId],
    ] as const) {
      await git.setConfig({ fs, gitdir, path: key, value });
    }
    if (input.description) fs.writeFileSync(join(gitdir, "description"), `${input.description}\n`);
    signal.throwIfAborted();
    await git.add({ fs, dir: source, gitdir, filepath: "." });
    const author = {
      name: input.gitAuthorName ?? "Callboard",
      email: input.gitAuthorEmail ?? "scaffolder@callboard.invalid",
    };
    const sha = await git.commit({
      fs,
      dir: source,
      gitdir,
      message: input.gitCommitMessage ?? "initial commit",
      author,
    });
    await rm(join(gitdir, "index"), { force: true });
    signal.throwIfAborted();
    await git.checkout({ fs, dir: checkout, gitdir, ref: branch, force: true });
    // A bare repository has no index; checkout wrote one.
    await rm(join(gitdir, "index"), { force: true });
    if (await exists(paths.bare)) {
      throw new ScaffolderInputError(
        `publish:local: ${paths.bare} appeared while publishing; choose another name.`,
      );
    }
    await rename(gitdir, paths.bare);
    await rm(paths.checkout, { recursive: true, force: true });
    await rename(checkout, paths.checkout);
    return sha;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** The git config key naming the task that made a repository. */
const TASK_CONFIG = "callboard.task";

/**
 * The commit of a repository this task made before it was interrupted (its checkout made again if the
 * interruption came between the two), or undefined when someone else made it.
 */
async function ownRepository(
  paths: { bare: string; checkout: string },
  branch: string,
  taskId: string,
): Promise<string | undefined> {
  const maker: unknown = await git
    .getConfig({ fs, gitdir: paths.bare, path: TASK_CONFIG })
    .catch(() => undefined);
  if (maker !== taskId) return undefined;
  const sha = await git.resolveRef({ fs, gitdir: paths.bare, ref: branch });
  if (!(await exists(paths.checkout))) {
    const staging = join(dirname(paths.bare), `.staging-${randomUUID()}`);
    try {
      await mkdir(staging, { recursive: true });
      await git.checkout({ fs, dir: staging, gitdir: paths.bare, ref: branch, force: true });
      await rm(join(paths.bare, "index"), { force: true });
      await rename(staging, paths.checkout);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
  return sha;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
