/**
 * The outside effects of the repository actions, each inside a checkpoint so a retried step carries on
 * where it stopped: create the repository (and recognise it as this task's own on a retry), give
 * access and topics, push the first commit, set the default branch, protect it.
 */
import { RequestError } from "octokit";
import type { GitHubClient, GitHubSession } from "../../../github/github-client.ts";
import { pushFolderAsFirstCommit } from "../../../github/git-transport.ts";
import { resolveInsideReal } from "../../workspace/safe-path.ts";
import { ScaffolderInputError, type ActionContext } from "../action.ts";
import { entityRefToName, gitRemote, isNotFound, type GitHubTarget } from "./github-target.ts";
import { UNSUPPORTED_INPUTS } from "./github-schemas.ts";

/** What the checkpoint keeps of a repository this task created: enough to know it again. */
export interface RepositoryRecord {
  id: number;
  nodeId: string;
  fullName: string;
  cloneUrl: string;
  htmlUrl: string;
}

export interface RepositoryInput {
  repoUrl: string;
  description?: string;
  homepage?: string;
  access?: string;
  repoVisibility?: "private" | "public" | "internal";
  deleteBranchOnMerge?: boolean;
  allowMergeCommit?: boolean;
  allowSquashMerge?: boolean;
  allowRebaseMerge?: boolean;
  allowAutoMerge?: boolean;
  hasIssues?: boolean;
  hasWiki?: boolean;
  hasProjects?: boolean;
  topics?: string[];
  collaborators?: Array<{ access: string; user?: string; team?: string; username?: string }>;
  token?: string;
}

export interface ProtectionInput {
  protectDefaultBranch?: boolean;
  protectEnforceAdmins?: boolean;
  requireCodeOwnerReviews?: boolean;
  dismissStaleReviews?: boolean;
  requiredApprovingReviewCount?: number;
  requiredStatusCheckContexts?: string[];
  requireBranchesToBeUpToDate?: boolean;
  requiredConversationResolution?: boolean;
  requireLastPushApproval?: boolean;
  requiredLinearHistory?: boolean;
  bypassPullRequestAllowances?: { users?: string[]; teams?: string[]; apps?: string[] };
  restrictions?: { users: string[]; teams: string[]; apps?: string[] };
}

export interface CommitInput {
  defaultBranch?: string;
  gitCommitMessage?: string;
  gitAuthorName?: string;
  gitAuthorEmail?: string;
  sourcePath?: string;
}

export function refuseUnsupported(actionId: string, input: object): void {
  const given = UNSUPPORTED_INPUTS.filter((name) => name in input);
  if (given.length > 0) {
    throw new ScaffolderInputError(
      `${actionId}: ${given.join(", ")} ${given.length === 1 ? "is" : "are"} not supported by Callboard yet; remove ${given.length === 1 ? "it" : "them"} from the step.`,
    );
  }
}

export function checkBranchName(actionId: string, branch: string): void {
  if (
    !/^[A-Za-z0-9._/-]+$/.test(branch) ||
    branch.includes("..") ||
    branch.startsWith("/") ||
    branch.endsWith("/")
  ) {
    throw new ScaffolderInputError(`${actionId}: "${branch}" is not a usable branch name.`);
  }
}

function clash(target: GitHubTarget): ScaffolderInputError {
  return new ScaffolderInputError(
    `${target.fullName} already exists and was not created by this task. Choose another name, or delete that repository first.`,
  );
}

/**
 * Creates the repository once for this task. A retry finds the checkpoint and checks that the
 * repository under that name is still the one it made (same id and node id); anything else is a clash.
 */
export async function createRepositoryOnce(
  ctx: ActionContext<RepositoryInput>,
  client: GitHubClient,
  session: GitHubSession,
  target: GitHubTarget,
): Promise<RepositoryRecord> {
  let fresh = false;
  const record = await ctx.checkpoint<RepositoryRecord>({
    key: `repo.create.${target.fullName}`,
    fn: async () => {
      fresh = true;
      return createRepository(ctx, client, session, target);
    },
  });
  if (fresh) {
    ctx.logger.info(`Created the repository ${record.fullName} (${record.htmlUrl}) as ${session.actingAs}.`);
    return record;
  }
  let current;
  try {
    current = (await session.octokit.rest.repos.get({ owner: target.owner, repo: target.repo })).data;
  } catch (error) {
    if (isNotFound(error)) {
      throw new ScaffolderInputError(
        `${target.fullName} was created by this task earlier but is gone now (deleted or renamed); the task cannot go on with it. Run the template again.`,
      );
    }
    throw client.describeError(error, `reading ${target.fullName}`);
  }
  if (current.id !== record.id || current.node_id !== record.nodeId) throw clash(target);
  ctx.logger.info(`Reusing ${record.fullName}, which this task created earlier.`);
  return record;
}

async function createRepository(
  ctx: ActionContext<RepositoryInput>,
  client: GitHubClient,
  session: GitHubSession,
  target: GitHubTarget,
): Promise<RepositoryRecord> {
  const { input } = ctx;
  const { octokit } = session;
  let accountType: string;
  try {
    accountType = (await octokit.rest.users.getByUsername({ username: target.owner })).data.type;
  } catch (error) {
    if (isNotFound(error)) {
      throw new ScaffolderInputError(
        `GitHub has no user or organisation named "${target.owner}"; check repoUrl's owner.`,
      );
    }
    throw client.describeError(error, `looking up ${target.owner}`);
  }
  const visibility = input.repoVisibility ?? "private";
  const settings = {
    name: target.repo,
    description: input.description,
    homepage: input.homepage,
    private: visibility !== "public",
    delete_branch_on_merge: input.deleteBranchOnMerge ?? false,
    allow_merge_commit: input.allowMergeCommit ?? true,
    allow_squash_merge: input.allowSquashMerge ?? true,
    allow_rebase_merge: input.allowRebaseMerge ?? true,
    allow_auto_merge: input.allowAutoMerge ?? false,
    ...(input.hasIssues !== undefined ? { has_issues: input.hasIssues } : {}),
    ...(input.hasWiki !== undefined ? { has_wiki: input.hasWiki } : {}),
    ...(input.hasProjects !== undefined ? { has_projects: input.hasProjects } : {}),
  };
  let created;
  try {
    if (accountType === "Organization") {
      created = await octokit.rest.repos.createInOrg({
        org: target.owner,
        ...settings,
        // Only Enterprise organisations know `internal`; `private` says the rest.
        ...(visibility === "internal" ? { visibility: "internal" as never } : {}),
      });
    } else {
      if (visibility === "internal") {
        throw new ScaffolderInputError(
          `${target.owner} is a user; only organisations can have internal repositories.`,
        );
      }
      const me = await octokit.rest.users.getAuthenticated().catch(() => undefined);
      if (me?.data.login.toLowerCase() !== target.owner.toLowerCase()) {
        throw new ScaffolderInputError(
          `${target.owner} is a user account, and Callboard acts as ${me ? me.data.login : session.actingAs}; repositories can be created only for that account or for organisations.`,
        );
      }
      created = await octokit.rest.repos.createForAuthenticatedUser(settings);
    }
  } catch (error) {
    if (error instanceof ScaffolderInputError) throw error;
    if (
      error instanceof RequestError &&
      error.status === 422 &&
      /already exists/i.test(JSON.stringify(error.response?.data ?? ""))
    ) {
      throw clash(target);
    }
    throw client.describeError(error, `creating ${target.fullName}`);
  }
  const repo = created.data;
  return {
    id: repo.id,
    nodeId: repo.node_id,
    fullName: repo.full_name,
    cloneUrl: repo.clone_url,
    htmlUrl: repo.html_url,
  };
}

/** Admin access, collaborators and topics. As in Backstage, one that fails is logged and skipped. */
export async function applyAccessAndTopics(
  ctx: ActionContext<RepositoryInput>,
  client: GitHubClient,
  session: GitHubSession,
  target: GitHubTarget,
): Promise<void> {
  const { input } = ctx;
  const { octokit } = session;
  const { owner, repo } = target;
  const grants: Array<{ kind: "user" | "team"; name: string; permission: string }> = [];
  if (input.access?.startsWith(`${owner}/`)) {
    grants.push({ kind: "team", name: input.access.slice(owner.length + 1), permission: "admin" });
  } else if (input.access && input.access.toLowerCase() !== owner.toLowerCase()) {
    grants.push({ kind: "user", name: input.access, permission: "admin" });
  }
  for (const c of input.collaborators ?? []) {
    if (c.user) grants.push({ kind: "user", name: entityRefToName(c.user), permission: c.access });
    else if (c.team ?? c.username)
      grants.push({ kind: "team", name: entityRefToName((c.team ?? c.username)!), permission: c.access });
  }
  for (const grant of grants) {
    try {
      await ctx.checkpoint({
        key: `repo.access.${grant.kind}.${grant.name}`,
        fn: async () => {
          if (grant.kind === "user") {
            await octokit.rest.repos.addCollaborator({
              owner,
              repo,
              username: grant.name,
              permission: grant.permission,
            });
          } else {
            await octokit.rest.teams.addOrUpdateRepoPermissionsInOrg({
              org: owner,
              team_slug: grant.name,
              owner,
              repo,
              permission: grant.permission,
            });
          }
          return true;
        },
      });
      ctx.logger.info(`Gave ${grant.kind} ${grant.name} ${grant.permission} access to ${target.fullName}.`);
    } catch (error) {
      ctx.logger.warn(
        `Skipping ${grant.permission} access for ${grant.kind} ${grant.name}: ${client.describeError(error, `giving ${grant.name} access`).message}`,
      );
    }
  }
  if (input.topics && input.topics.length > 0) {
    const names = input.topics.map((t) => t.toLowerCase());
    try {
      await ctx.checkpoint({
        key: "repo.topics",
        fn: async () => {
          await octokit.rest.repos.replaceAllTopics({ owner, repo, names });
          return names;
        },
      });
      ctx.logger.info(`Set the topics of ${target.fullName}: ${names.join(", ")}.`);
    } catch (error) {
      ctx.logger.warn(
        `Skipping topics ${names.join(" ")}: ${client.describeError(error, "setting topics").message}`,
      );
    }
  }
}

/**
 * Pushes the workspace (or sourcePath) as the first commit of `branch`. The commit time is kept in a
 * checkpoint first, so a retry after a push whose result was not recorded makes the same commit again
 * and finds it already there.
 */
export async function pushFirstCommit(
  ctx: ActionContext<CommitInput>,
  client: GitHubClient,
  session: GitHubSession,
  repository: { fullName: string; cloneUrl: string },
  branch: string,
): Promise<string> {
  const { input } = ctx;
  const dir = await resolveInsideReal(ctx.workspacePath, input.sourcePath ?? ".", "sourcePath");
  const timestamp = await ctx.checkpoint({
    key: "repo.commit-time",
    fn: () => Math.floor(Date.now() / 1000),
  });
  const commitHash = await ctx.checkpoint({
    key: `repo.push.${branch}`,
    fn: async () => {
      try {
        return await pushFolderAsFirstCommit({
          dir,
          remote: gitRemote(client, session, repository.cloneUrl),
          branch,
          message: input.gitCommitMessage ?? "initial commit",
          author: {
            name: input.gitAuthorName ?? "Callboard",
            email: input.gitAuthorEmail ?? "scaffolder@callboard.invalid",
          },
          timestamp,
          signal: ctx.signal,
        });
      } catch (error) {
        // The transport's error is already redacted; it is kept as the cause.
        const message = (error as Error).message;
        const refused = /refused|rejected|non-fast-forward|not a simple fast-forward/i.test(message);
        throw new Error(
          refused
            ? `${message} (${repository.fullName} already has commits on ${branch}; push into an empty repository or another branch)`
            : message,
          { cause: error },
        );
      }
    },
  });
  ctx.logger.info(`Pushed ${commitHash.slice(0, 12)} to ${repository.fullName} as branch ${branch}.`);
  return commitHash;
}

export async function makeDefaultBranch(
  ctx: ActionContext<object>,
  client: GitHubClient,
  session: GitHubSession,
  target: GitHubTarget,
  branch: string,
): Promise<void> {
  await ctx.checkpoint({
    key: `repo.default-branch.${branch}`,
    fn: async () => {
      try {
        const { data } = await session.octokit.rest.repos.get({ owner: target.owner, repo: target.repo });
        if (data.default_branch !== branch) {
          await session.octokit.rest.repos.update({
            owner: target.owner,
            repo: target.repo,
            default_branch: branch,
          });
        }
      } catch (error) {
        throw client.describeError(error, `making ${branch} the default branch of ${target.fullName}`);
      }
      return branch;
    },
  });
}

/** Branch protection as Backstage sets it; a failure (a plan without protection) is logged and skipped. */
export async function protectBranch(
  ctx: ActionContext<ProtectionInput>,
  client: GitHubClient,
  session: GitHubSession,
  target: GitHubTarget,
  branch: string,
): Promise<void> {
  const { input } = ctx;
  if (input.protectDefaultBranch === false) return;
  try {
    await ctx.checkpoint({
      key: `repo.protect.${branch}`,
      fn: async () => {
        await session.octokit.rest.repos.updateBranchProtection({
          owner: target.owner,
          repo: target.repo,
          branch,
          required_status_checks: {
            strict: input.requireBranchesToBeUpToDate ?? true,
            contexts: input.requiredStatusCheckContexts ?? [],
          },
          enforce_admins: input.protectEnforceAdmins ?? true,
          required_pull_request_reviews: {
            required_approving_review_count: input.requiredApprovingReviewCount ?? 1,
            require_code_owner_reviews: input.requireCodeOwnerReviews ?? false,
            dismiss_stale_reviews: input.dismissStaleReviews ?? false,
            require_last_push_approval: input.requireLastPushApproval ?? false,
            ...(input.bypassPullRequestAllowances
              ? { bypass_pull_request_allowances: input.bypassPullRequestAllowances }
              : {}),
          },
          restrictions: input.restrictions ? { apps: [], ...input.restrictions } : null,
          required_conversation_resolution: input.requiredConversationResolution ?? false,
          ...(input.requiredLinearHistory !== undefined
            ? { required_linear_history: input.requiredLinearHistory }
            : {}),
        });
        return true;
      },
    });
    ctx.logger.info(`Protected the branch ${branch} of ${target.fullName}.`);
  } catch (error) {
    ctx.logger.warn(
      `Skipping: default branch protection on ${target.fullName}: ${client.describeError(error, `protecting ${branch}`).message}`,
    );
  }
}
