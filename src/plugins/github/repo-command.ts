/** `repo <component>`: the component's repository: default branch, last commit, open issues, topics, link. */
import type { GitHubSession } from "../../github/github-client.ts";
import {
  actions,
  context,
  escapeText,
  header,
  reply,
  section,
  type Block,
  type ChatCommand,
  type Field,
  type Reply,
} from "../api.ts";
import { ago } from "./age.ts";
import { readRepository, type GitHubCommandDeps } from "./read-repository.ts";
import type { RepositoryTarget } from "./repository-target.ts";

const help = {
  summary: "A component's GitHub repository: default branch, last commit, open issues, topics.",
  usage: "repo <component>",
  examples: ["repo payments-api", "repository payments-api"],
};

export function repoCommand(deps: GitHubCommandDeps): ChatCommand {
  return {
    name: "repo",
    phrases: ["repo", "repository", "github repo"],
    ...help,
    handler: (ctx) =>
      readRepository(
        deps,
        { name: ctx.args, command: "repo", help, what: "reading the repository", log: ctx.log },
        (session, target) => repositoryReply(deps, session, target),
      ),
  };
}

/** `status` of a failed request, when it has one. */
const statusOf = (error: unknown) => (error as { status?: unknown } | undefined)?.status;

async function repositoryReply(
  deps: GitHubCommandDeps,
  session: GitHubSession,
  target: RepositoryTarget,
): Promise<Reply> {
  const { owner, repo } = target;
  const { octokit } = session;
  const { data: repository } = await octokit.rest.repos.get({ owner, repo });
  const branch = repository.default_branch;
  let last: Awaited<ReturnType<typeof octokit.rest.repos.listCommits>>["data"][number] | undefined;
  try {
    ({
      data: [last],
    } = await octokit.rest.repos.listCommits({
      owner,
      repo,
      sha: branch,
      per_page: 1,
      request: { retries: 0 },
    }));
  } catch (error) {
    // 409: an empty repository has no commits to list; anything else is a failure to report.
    if (statusOf(error) !== 409) throw error;
  }
  const now = deps.now();
  const ref = target.entry.ref;
  const fields: Field[] = [{ label: "Default branch", value: `\`${escapeText(branch)}\`` }];
  if (last) {
    const message = escapeText(last.commit.message.split("\n")[0]!.slice(0, 150));
    const author = last.author?.login
      ? `@${escapeText(last.author.login)}`
      : escapeText(last.commit.author?.name ?? "someone");
    fields.push({
      label: "Last commit",
      value: `[${message || last.sha.slice(0, 7)}](${last.html_url}) by ${author}, ${ago(last.commit.author?.date ?? last.commit.committer?.date, now)}`,
    });
  } else {
    fields.push({ label: "Last commit", value: "none yet: the repository is empty" });
  }
  fields.push({ label: "Open issues and pull requests", value: String(repository.open_issues_count) });
  const topics = repository.topics ?? [];
  fields.push({
    label: "Topics",
    value: topics.length > 0 ? topics.map((t) => `\`${escapeText(t)}\``).join(" ") : "none",
  });
  if (repository.visibility) fields.push({ label: "Visibility", value: repository.visibility });
  if (target.entry.owners.length > 0)
    fields.push({ label: "Owner in the catalog", value: target.entry.owners.join(", ") });

  const blocks: Block[] = [header(target.slug)];
  const description = repository.description ? escapeText(repository.description.slice(0, 500)) : undefined;
  blocks.push(section(description ?? `The repository of **${escapeText(target.name)}**.`, fields));
  if (repository.archived) blocks.push(context("This repository is archived: it is read-only on GitHub."));
  blocks.push(
    actions(
      { label: "Pull requests", command: `prs ${ref}` },
      { label: "CI", command: `ci ${ref}` },
      { label: "Who owns it", command: `who owns ${ref}` },
      { label: "Open on GitHub", url: repository.html_url },
    ),
  );
  const lastText = last ? `last commit ${ago(last.commit.author?.date, now)}` : "no commits yet";
  return reply(
    `${target.slug}: default branch ${branch}, ${lastText}, ${repository.open_issues_count} open issues and pull requests.`,
    ...blocks,
  );
}
