/**
 * `publish:github:pull-request`: the workspace's files written onto a new branch of an existing
 * repository (over git, as one commit on top of the target branch) and a pull request opened for it.
 * The push and the pull request are each checkpointed; a retry reuses both.
 */
import { cp, mkdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { RequestError, type Octokit } from "octokit";
import type { GitHubClient } from "../../../github/github-client.ts";
import { BranchExistsError, pushChangesAsBranch, remoteBranchSha } from "../../../github/git-transport.ts";
import { resolveInsideReal } from "../../workspace/safe-path.ts";
import { ScaffolderInputError, type ScaffolderAction } from "../action.ts";
import { repoUrlInput, tokenInput } from "./github-schemas.ts";
import { githubTarget, gitRemote, sessionFor } from "./github-target.ts";
import { checkBranchName } from "./repository-steps.ts";

export interface PullRequestInput {
  repoUrl: string;
  branchName: string;
  targetBranchName?: string;
  title: string;
  description: string;
  draft?: boolean;
  sourcePath?: string;
  targetPath?: string;
  token?: string;
  reviewers?: string[];
  teamReviewers?: string[];
  commitMessage?: string;
  update?: boolean;
  forceFork?: boolean;
  gitAuthorName?: string;
  gitAuthorEmail?: string;
}

interface OpenedPull {
  number: number;
  htmlUrl: string;
  base: string;
}

const ID = "publish:github:pull-request";

export function publishGithubPullRequestAction(client: GitHubClient): ScaffolderAction<PullRequestInput> {
  return {
    id: ID,
    description:
      "Writes the workspace onto a new branch of an existing GitHub repository and opens a pull request for it.",
    supportsDryRun: true,
    schema: {
      input: {
        type: "object",
        required: ["repoUrl", "title", "description", "branchName"],
        properties: {
          repoUrl: repoUrlInput,
          branchName: { type: "string", description: "The new branch the changes go on." },
          targetBranchName: {
            type: "string",
            description: "The branch to merge into (the default branch unless said).",
          },
          title: { type: "string", description: "The pull request's title." },
          description: { type: "string", description: "The pull request's body." },
          draft: { type: "boolean", description: "Open it as a draft." },
          sourcePath: { type: "string", description: "Take the files from this folder of the workspace." },
          targetPath: { type: "string", description: "Write them under this folder of the repository." },
          token: tokenInput,
          reviewers: { type: "array", items: { type: "string" }, description: "Logins asked to review." },
          teamReviewers: {
            type: "array",
            items: { type: "string" },
            description: "Team slugs asked to review.",
          },
          commitMessage: { type: "string", description: "The commit message (the title unless said)." },
          update: {
            type: "boolean",
            description: "Add to the branch and its pull request when they exist already.",
          },
          forceFork: {
            type: "boolean",
            description: "Not supported by Callboard: pull requests come from a branch of the repository.",
          },
          gitAuthorName: { type: "string" },
          gitAuthorEmail: { type: "string" },
        },
      },
      output: {
        type: "object",
        required: ["remoteUrl"],
        properties: {
          remoteUrl: {
            type: "string",
            description: "The pull request's page.",
            examples: ["https://github.com/acme/payments/pull/1"],
          },
          pullRequestNumber: { type: "number", examples: [1] },
          targetBranchName: { type: "string", description: "The branch it merges into.", examples: ["main"] },
        },
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      if (input.forceFork) {
        throw new ScaffolderInputError(
          `${ID}: forceFork is not supported by Callboard; remove it, and the branch is made in the repository itself.`,
        );
      }
      const target = githubTarget(ID, input.repoUrl, client);
      checkBranchName(ID, input.branchName);
      if (input.targetBranchName) checkBranchName(ID, input.targetBranchName);
      const source = await resolveInsideReal(ctx.workspacePath, input.sourcePath ?? ".", "sourcePath");
      const targetPath = (input.targetPath ?? "").replace(/^\/+|\/+$/g, "");
      if (targetPath.split("/").some((part) => part === ".." || part === ".git")) {
        throw new ScaffolderInputError(
          `${ID}: targetPath "${input.targetPath}" must stay inside the repository.`,
        );
      }
      if (ctx.isDryRun) {
        ctx.logger.info(`Dry run: no branch is pushed and no pull request opened on ${target.fullName}.`);
        ctx.output("remoteUrl", `${client.webUrl}/${target.fullName}/pull/0`);
        ctx.output("pullRequestNumber", 0);
        ctx.output("targetBranchName", input.targetBranchName ?? "main");
        return;
      }

      const session = await sessionFor(client, target, input.token);
      let repository;
      try {
        repository = (await session.octokit.rest.repos.get({ owner: target.owner, repo: target.repo })).data;
      } catch (error) {
        throw client.describeError(error, `reading ${target.fullName}`);
      }
      const base = input.targetBranchName ?? repository.default_branch;
      const remote = gitRemote(client, session, repository.clone_url);
      const timestamp = await ctx.checkpoint({
        key: "pr.commit-time",
        fn: () => Math.floor(Date.now() / 1000),
      });

      const commit = await ctx.checkpoint({
        key: `pr.push.${input.branchName}`,
        fn: async () => {
          const existing = input.update ? await remoteBranchSha(remote, input.branchName) : undefined;
          try {
            const sha = await pushChangesAsBranch({
              remote,
              from: existing ? input.branchName : base,
              head: input.branchName,
              message: input.commitMessage ?? input.title,
              author: {
                name: input.gitAuthorName ?? "Callboard",
                email: input.gitAuthorEmail ?? "scaffolder@callboard.invalid",
              },
              timestamp,
              signal: ctx.signal,
              change: async (checkout) => {
                const into = join(checkout, targetPath);
                await mkdir(into, { recursive: true });
                await cp(source, into, {
                  recursive: true,
                  force: true,
                  verbatimSymlinks: true,
                  filter: (path) => basename(path) !== ".git",
                });
              },
            });
            return sha ?? null;
          } catch (error) {
            if (error instanceof BranchExistsError) {
              throw new ScaffolderInputError(
                `${ID}: the branch ${input.branchName} already exists in ${target.fullName}; choose another branchName, or set update: true to add to it.`,
              );
            }
            throw error;
          }
        },
      });
      if (!commit) {
        throw new ScaffolderInputError(
          `${ID}: the workspace changes nothing on ${base} of ${target.fullName}, so there is nothing to propose.`,
        );
      }

      const pull = await ctx.checkpoint<OpenedPull>({
        key: `pr.create.${input.branchName}`,
        fn: () => openPull(client, session.octokit, target, input, base),
      });
      if (input.reviewers?.length || input.teamReviewers?.length) {
        try {
          await ctx.checkpoint({
            key: `pr.reviewers.${pull.number}`,
            fn: async () => {
              await session.octokit.rest.pulls.requestReviewers({
                owner: target.owner,
                repo: target.repo,
                pull_number: pull.number,
                ...(input.reviewers?.length ? { reviewers: input.reviewers } : {}),
                ...(input.teamReviewers?.length ? { team_reviewers: [...new Set(input.teamReviewers)] } : {}),
              });
              return true;
            },
          });
          ctx.logger.info(
            `Asked ${[...(input.reviewers ?? []), ...(input.teamReviewers ?? [])].join(", ")} to review #${pull.number}.`,
          );
        } catch (error) {
          ctx.logger.error(
            `Could not ask for reviews on #${pull.number}: ${client.describeError(error, "requesting reviewers").message}`,
          );
        }
      }
      ctx.logger.info(`Opened pull request #${pull.number} on ${target.fullName}: ${pull.htmlUrl}`);
      ctx.output("remoteUrl", pull.htmlUrl);
      ctx.output("pullRequestNumber", pull.number);
      ctx.output("targetBranchName", pull.base);
    },
  };
}

async function openPull(
  client: GitHubClient,
  octokit: Octokit,
  target: { owner: string; repo: string; fullName: string },
  input: PullRequestInput,
  base: string,
): Promise<OpenedPull> {
  try {
    const { data } = await octokit.rest.pulls.create({
      owner: target.owner,
      repo: target.repo,
      title: input.title,
      body: input.description,
      head: input.branchName,
      base,
      ...(input.draft !== undefined ? { draft: input.draft } : {}),
    });
    return { number: data.number, htmlUrl: data.html_url, base: data.base.ref };
  } catch (error) {
    const exists =
      error instanceof RequestError &&
      error.status === 422 &&
      /already exists/i.test(JSON.stringify(error.response?.data ?? ""));
    if (exists && input.update) {
      const { data } = await octokit.rest.pulls.list({
        owner: target.owner,
        repo: target.repo,
        head: `${target.owner}:${input.branchName}`,
        base,
        state: "open",
      });
      if (data[0]) return { number: data[0].number, htmlUrl: data[0].html_url, base: data[0].base.ref };
    }
    throw client.describeError(
      error,
      `opening a pull request from ${input.branchName} into ${base} of ${target.fullName}`,
    );
  }
}
