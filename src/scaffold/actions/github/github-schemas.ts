/** The inputs and outputs the GitHub actions share, named as Backstage's GitHub module names them. */
import type { JsonSchema } from "../action.ts";

const text = (description: string): JsonSchema => ({ type: "string", description });
const flag = (description: string): JsonSchema => ({ type: "boolean", description });
const names = (description: string): JsonSchema => ({
  type: "array",
  items: { type: "string" },
  description,
});

export const repoUrlInput = text(
  "host?owner=<owner>&repo=<name>, as RepoUrlPicker gives it; the host must be the configured GitHub host.",
);

export const tokenInput = text(
  "A token to act with instead of Callboard's own GitHub credentials (a user's).",
);

/** Settings of a new repository. */
export const repositoryInputs: Record<string, JsonSchema> = {
  description: text("The repository's description."),
  homepage: text("The repository's website."),
  access: text("Gives admin access to this user, or to this team written as <org>/<team>."),
  repoVisibility: {
    type: "string",
    enum: ["private", "public", "internal"],
    description: "private unless said.",
  },
  deleteBranchOnMerge: flag("Delete a pull request's branch once it is merged (false unless said)."),
  allowMergeCommit: flag("Allow merge commits (true unless said)."),
  allowSquashMerge: flag("Allow squash merges (true unless said)."),
  allowRebaseMerge: flag("Allow rebase merges (true unless said)."),
  allowAutoMerge: flag("Allow auto-merge (false unless said)."),
  hasIssues: flag("Turn issues on or off."),
  hasWiki: flag("Turn the wiki on or off."),
  hasProjects: flag("Turn projects on or off."),
  topics: names("Topics for the repository (lowercased)."),
  collaborators: {
    type: "array",
    description: "More users or teams and their access: pull, triage, push, maintain or admin.",
    items: {
      type: "object",
      required: ["access"],
      properties: {
        access: { type: "string" },
        user: { type: "string", description: "A GitHub login, or a catalog user ref ending in one." },
        team: {
          type: "string",
          description: "A team slug of the owning organisation, or a group ref ending in one.",
        },
        username: { type: "string", description: "Deprecated: a team slug, as older templates write it." },
      },
      anyOf: [{ required: ["user"] }, { required: ["team"] }, { required: ["username"] }],
    },
  },
};

/** Protection of the default branch once the first commit is on it. */
export const protectionInputs: Record<string, JsonSchema> = {
  protectDefaultBranch: flag("Protect the default branch after the first push (true unless said)."),
  protectEnforceAdmins: flag("Hold admins to the protection too (true unless said)."),
  requireCodeOwnerReviews: flag("Require a code owner's approving review."),
  dismissStaleReviews: flag("New commits dismiss earlier approvals."),
  requiredApprovingReviewCount: {
    type: "integer",
    minimum: 0,
    maximum: 6,
    description: "Approvals needed (1 unless said).",
  },
  requiredStatusCheckContexts: names("Status checks that must pass before merging."),
  requireBranchesToBeUpToDate: flag("Branches must be up to date before merging (true unless said)."),
  requiredConversationResolution: flag("All review conversations must be resolved before merging."),
  requireLastPushApproval: flag("The last push must be approved by someone other than its pusher."),
  requiredLinearHistory: flag("No merge commits on the branch."),
  bypassPullRequestAllowances: {
    type: "object",
    description: "Users, teams or apps that may skip the pull request rules.",
    properties: { users: names("Logins."), teams: names("Team slugs."), apps: names("App slugs.") },
  },
  restrictions: {
    type: "object",
    description: "Only these users, teams or apps may push (organisation repositories).",
    required: ["users", "teams"],
    properties: { users: names("Logins."), teams: names("Team slugs."), apps: names("App slugs.") },
  },
};

/** The first commit. */
export const commitInputs: Record<string, JsonSchema> = {
  defaultBranch: text("The branch the workspace is pushed as, and the default branch (master unless said)."),
  gitCommitMessage: text("The commit message (initial commit unless said)."),
  gitAuthorName: text("The commit's author name."),
  gitAuthorEmail: text("The commit's author email."),
  sourcePath: text("Publish this folder of the workspace instead of all of it."),
};

export const publishOutputs: Record<string, JsonSchema> = {
  remoteUrl: {
    type: "string",
    description: "The repository's clone URL.",
    examples: ["https://github.com/acme/payments.git"],
  },
  repoContentsUrl: {
    type: "string",
    description: "The URL of the repository's files on the default branch.",
    examples: ["https://github.com/acme/payments/blob/master"],
  },
  commitHash: {
    type: "string",
    description: "The pushed commit.",
    examples: ["0000000000000000000000000000000000000000"],
  },
};

/** Backstage inputs Callboard does not carry out yet: refused by name rather than ignored. */
export const UNSUPPORTED_INPUTS = [
  "repoVariables",
  "secrets",
  "oidcCustomization",
  "customProperties",
  "requiredCommitSigning",
  "subscribe",
  "autoInit",
] as const;
