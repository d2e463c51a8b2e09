/** `ci <component>`: the latest workflow run of each workflow on the default branch, with status, age and link. */
import type { GitHubSession } from "../../github/github-client.ts";
import {
  actions,
  context,
  escapeText,
  header,
  reply,
  section,
  type Action,
  type Block,
  type ChatCommand,
  type Reply,
} from "../api.ts";
import { ago, plural } from "./age.ts";
import { mapLimited } from "./map-limited.ts";
import { readRepository, type GitHubCommandDeps } from "./read-repository.ts";
import type { RepositoryTarget } from "./repository-target.ts";

/** Workflows shown (one runs request each); a repository with more is read on GitHub. */
export const MAX_WORKFLOWS = 30;
const CONCURRENCY = 4;

const help = {
  summary: "The latest run of each GitHub Actions workflow on a component's default branch.",
  usage: "ci <component>",
  examples: ["ci payments-api", "builds payments-api"],
};

export function ciCommand(deps: GitHubCommandDeps): ChatCommand {
  return {
    name: "ci",
    phrases: ["ci", "builds", "workflows", "workflow runs"],
    ...help,
    handler: (ctx) =>
      readRepository(
        deps,
        { name: ctx.args, command: "ci", help, what: "reading workflow runs", log: ctx.log },
        (session, target) => ciReply(deps, session, target),
      ),
  };
}

/** A run's outcome in words people use. */
export function runState(status: string | null, conclusion: string | null): string {
  if (status !== "completed") return (status ?? "queued").replace(/_/g, " ");
  switch (conclusion) {
    case "success":
      return "passed";
    case "failure":
      return "failed";
    case "timed_out":
      return "timed out";
    case "action_required":
      return "waiting for approval";
    case "startup_failure":
      return "failed to start";
    default:
      return (conclusion ?? "completed").replace(/_/g, " ");
  }
}

async function ciReply(
  deps: GitHubCommandDeps,
  session: GitHubSession,
  target: RepositoryTarget,
): Promise<Reply> {
  const { owner, repo } = target;
  const { octokit } = session;
  const { data: repository } = await octokit.rest.repos.get({ owner, repo });
  const branch = repository.default_branch;
  let listed;
  try {
    ({ data: listed } = await octokit.rest.actions.listRepoWorkflows({ owner, repo, per_page: 100 }));
  } catch (error) {
    // The repository answered, its workflows did not: Actions is off for it, or the server has none.
    if ((error as { status?: unknown }).status !== 404) throw error;
    const why = "GitHub Actions is not available for";
    return reply(
      `${why} ${target.slug}.`,
      section(`${why} **${escapeText(target.slug)}**: GitHub has no workflows to show for it.`),
      context(
        "Actions may be turned off for the repository or its organisation, or this GitHub Enterprise Server may not run it.",
      ),
      actions({ label: "Repository", command: `repo ${target.entry.ref}` }),
    );
  }
  const active = listed.workflows.filter((w) => w.state === "active");
  const shown = active.slice(0, MAX_WORKFLOWS);
  const latest = await mapLimited(shown, CONCURRENCY, async (workflow) => {
    const { data } = await octokit.rest.actions.listWorkflowRuns({
      owner,
      repo,
      workflow_id: workflow.id,
      branch,
      per_page: 1,
    });
    return data.workflow_runs[0];
  });
  const now = deps.now();
  const slug = escapeText(target.slug);
  const actionsUrl = `${repository.html_url}/actions`;
  const nav: Action[] = [
    { label: `Checks on ${branch}`, command: `checks ${target.entry.ref}` },
    { label: "Pull requests", command: `prs ${target.entry.ref}` },
    { label: "Repository", command: `repo ${target.entry.ref}` },
    { label: "Actions on GitHub", url: actionsUrl },
  ];
  if (shown.length === 0) {
    const why =
      listed.total_count === 0
        ? "has no GitHub Actions workflows"
        : `has no active GitHub Actions workflows (${plural(listed.workflows.length, "workflow")} disabled)`;
    return reply(`${target.slug} ${why}.`, section(`**${slug}** ${why}.`), actions(...nav));
  }
  const blocks: Block[] = [
    header(`CI for ${target.slug} on ${branch}`),
    context(`${escapeText(target.name)} · the latest run of each workflow on \`${escapeText(branch)}\``),
  ];
  const failing: string[] = [];
  shown.forEach((workflow, i) => {
    const run = latest[i];
    const name = `**${escapeText(workflow.name)}**`;
    if (!run) {
      blocks.push(section(`${name} · no runs on \`${escapeText(branch)}\``));
      return;
    }
    const state = runState(run.status, run.conclusion);
    if (state === "failed" || state === "timed out" || state === "failed to start")
      failing.push(workflow.name);
    const title = escapeText(
      (run.display_title ?? run.head_commit?.message ?? "").split("\n")[0]!.slice(0, 150),
    );
    blocks.push(
      section(
        `${name} · **${state}** · [run #${run.run_number}](${run.html_url}) ${ago(run.run_started_at ?? run.created_at, now)}` +
          (title ? `\n${title}` : ""),
      ),
    );
  });
  const hidden = active.length - shown.length + Math.max(listed.total_count - listed.workflows.length, 0);
  if (hidden > 0) blocks.push(context(`and ${plural(hidden, "more workflow")}: see them on GitHub.`));
  blocks.push(actions(...nav));
  const text =
    failing.length > 0
      ? `CI for ${target.slug} on ${branch}: ${failing.join(", ")} failing.`
      : `CI for ${target.slug} on ${branch}: ${plural(shown.length, "workflow")}, none failing.`;
  return reply(text, ...blocks);
}
