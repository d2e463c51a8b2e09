/**
 * `publish:github`, `github:repo:create` and `github:repo:push`, with Backstage's inputs, defaults and
 * outputs. A dry run calls nothing: it checks repoUrl and gives the outputs the real run would.
 */
import type { GitHubClient } from "../../../github/github-client.ts";
import type { ActionContext, JsonSchema, ScaffolderAction } from "../action.ts";
import { githubTarget, sessionFor, type GitHubTarget } from "./github-target.ts";
import {
  commitInputs,
  protectionInputs,
  publishOutputs,
  repoUrlInput,
  repositoryInputs,
  tokenInput,
} from "./github-schemas.ts";
import {
  applyAccessAndTopics,
  checkBranchName,
  createRepositoryOnce,
  makeDefaultBranch,
  protectBranch,
  pushFirstCommit,
  refuseUnsupported,
  type CommitInput,
  type ProtectionInput,
  type RepositoryInput,
} from "./repository-steps.ts";

type PublishInput = RepositoryInput & ProtectionInput & CommitInput;

function inputSchema(properties: Record<string, JsonSchema>): JsonSchema {
  return {
    type: "object",
    required: ["repoUrl"],
    properties: { repoUrl: repoUrlInput, token: tokenInput, ...properties },
  };
}

function dryRunOutputs(
  ctx: ActionContext<object>,
  client: GitHubClient,
  target: GitHubTarget,
  branch: string,
  commit: boolean,
) {
  const web = `${client.webUrl}/${target.fullName}`;
  ctx.logger.info(`Dry run: nothing is created or pushed on GitHub; ${target.fullName} would be at ${web}.`);
  ctx.output("remoteUrl", `${web}.git`);
  ctx.output("repoContentsUrl", `${web}/blob/${branch}`);
  if (commit) ctx.output("commitHash", "0000000000000000000000000000000000000000");
}

function prepare(actionId: string, ctx: ActionContext<PublishInput>, client: GitHubClient) {
  refuseUnsupported(actionId, ctx.input);
  const target = githubTarget(actionId, ctx.input.repoUrl, client);
  const branch = ctx.input.defaultBranch ?? "master";
  checkBranchName(actionId, branch);
  return { target, branch };
}

export function publishGithubAction(client: GitHubClient): ScaffolderAction<PublishInput> {
  return {
    id: "publish:github",
    description:
      "Creates a GitHub repository, pushes the workspace as its first commit and protects its default branch.",
    supportsDryRun: true,
    schema: {
      input: inputSchema({ ...repositoryInputs, ...commitInputs, ...protectionInputs }),
      output: {
        type: "object",
        required: ["remoteUrl", "repoContentsUrl", "commitHash"],
        properties: publishOutputs,
      },
    },
    async handler(ctx) {
      const { target, branch } = prepare("publish:github", ctx, client);
      if (ctx.isDryRun) return dryRunOutputs(ctx, client, target, branch, true);
      const session = await sessionFor(client, target, ctx.input.token);
      const repository = await createRepositoryOnce(ctx, client, session, target);
      await applyAccessAndTopics(ctx, client, session, target);
      const commitHash = await pushFirstCommit(ctx, client, session, repository, branch);
      await makeDefaultBranch(ctx, client, session, target, branch);
      await protectBranch(ctx, client, session, target, branch);
      ctx.output("remoteUrl", repository.cloneUrl);
      ctx.output("repoContentsUrl", `${repository.htmlUrl}/blob/${branch}`);
      ctx.output("commitHash", commitHash);
    },
  };
}

export function githubRepoCreateAction(client: GitHubClient): ScaffolderAction<RepositoryInput> {
  return {
    id: "github:repo:create",
    description:
      "Creates a GitHub repository with its settings, access and topics, without pushing anything.",
    supportsDryRun: true,
    schema: {
      input: inputSchema(repositoryInputs),
      output: {
        type: "object",
        required: ["remoteUrl", "repoContentsUrl"],
        properties: {
          remoteUrl: publishOutputs.remoteUrl!,
          repoContentsUrl: publishOutputs.repoContentsUrl!,
        },
      },
    },
    async handler(ctx) {
      refuseUnsupported("github:repo:create", ctx.input);
      const target = githubTarget("github:repo:create", ctx.input.repoUrl, client);
      if (ctx.isDryRun) return dryRunOutputs(ctx, client, target, "master", false);
      const session = await sessionFor(client, target, ctx.input.token);
      const repository = await createRepositoryOnce(ctx, client, session, target);
      await applyAccessAndTopics(ctx, client, session, target);
      ctx.output("remoteUrl", repository.cloneUrl);
      // No branch exists yet; the contents URL names the branch github:repo:push makes by default.
      ctx.output("repoContentsUrl", `${repository.htmlUrl}/blob/master`);
    },
  };
}

export function githubRepoPushAction(client: GitHubClient): ScaffolderAction<PublishInput> {
  return {
    id: "github:repo:push",
    description:
      "Pushes the workspace as the first commit of an existing GitHub repository and protects the branch.",
    supportsDryRun: true,
    schema: {
      input: inputSchema({ ...commitInputs, ...protectionInputs }),
      output: {
        type: "object",
        required: ["remoteUrl", "repoContentsUrl", "commitHash"],
        properties: publishOutputs,
      },
    },
    async handler(ctx) {
      const { target, branch } = prepare("github:repo:push", ctx, client);
      if (ctx.isDryRun) return dryRunOutputs(ctx, client, target, branch, true);
      const session = await sessionFor(client, target, ctx.input.token);
      let repository;
      try {
        repository = (await session.octokit.rest.repos.get({ owner: target.owner, repo: target.repo })).data;
      } catch (error) {
        throw client.describeError(
          error,
          `reading ${target.fullName} (github:repo:push needs an existing repository)`,
        );
      }
      const commitHash = await pushFirstCommit(
        ctx,
        client,
        session,
        { fullName: repository.full_name, cloneUrl: repository.clone_url },
        branch,
      );
      await protectBranch(ctx, client, session, target, branch);
      ctx.output("remoteUrl", repository.clone_url);
      ctx.output("repoContentsUrl", `${repository.html_url}/blob/${branch}`);
      ctx.output("commitHash", commitHash);
    },
  };
}
