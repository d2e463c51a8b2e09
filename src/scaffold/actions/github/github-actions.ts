import type { GitHubClient } from "../../../github/github-client.ts";
import type { ScaffolderAction } from "../action.ts";
import { publishGithubPullRequestAction } from "./pull-request-action.ts";
import { githubRepoCreateAction, githubRepoPushAction, publishGithubAction } from "./repository-actions.ts";

/** The GitHub actions, registered when GitHub is configured (a token or a GitHub App). */
export function githubActions(client: GitHubClient): ScaffolderAction[] {
  return [
    publishGithubAction(client),
    publishGithubPullRequestAction(client),
    githubRepoCreateAction(client),
    githubRepoPushAction(client),
  ] as unknown as ScaffolderAction[];
}
