/**
 * `checks <component> [#N]`: the check runs of a pull request's head commit, or of the default branch's
 * latest commit (or `--ref <branch or sha>`), each with its outcome and a link.
 */
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
import { runState } from "./ci-command.ts";
import { readRepository, type GitHubCommandDeps } from "./read-repository.ts";
import type { RepositoryTarget } from "./repository-target.ts";

/** Check runs read (one page); a commit with more is read on GitHub. */
const MAX_CHECKS = 100;
const REF = /^[\w./-]{1,200}$/;

const help = {
  summary: "The checks of a pull request (#N), or of the default branch's latest commit.",
  usage: "checks <component> [#N | --ref <branch or sha>]",
  examples: ["checks payments-api #42", "checks payments-api", "checks payments-api --ref release"],
};

type Subject = { pull: number } | { ref: string } | { defaultBranch: true };

function subjectOf(
  args: string,
  flags: Record<string, string | true>,
): { name: string; subject: Subject } | string {
  const words = args.split(" ");
  const last = words.at(-1) ?? "";
  const flagPr = flags.pr;
  if (/^#\d{1,9}$/.test(last))
    return { name: words.slice(0, -1).join(" "), subject: { pull: Number(last.slice(1)) } };
  if (flagPr !== undefined) {
    if (flagPr === true || !/^#?\d{1,9}$/.test(flagPr))
      return "`--pr` takes a pull request number, e.g. `--pr 42`.";
    return { name: args, subject: { pull: Number(flagPr.replace("#", "")) } };
  }
  if (flags.ref !== undefined) {
    if (flags.ref === true || !REF.test(flags.ref) || flags.ref.includes(".."))
      return "`--ref` takes a branch name or a commit sha, e.g. `--ref main`.";
    return { name: args, subject: { ref: flags.ref } };
  }
  return { name: args, subject: { defaultBranch: true } };
}

export function checksCommand(deps: GitHubCommandDeps): ChatCommand {
  return {
    name: "checks",
    phrases: ["checks", "pr checks", "checks of"],
    ...help,
    async handler(ctx) {
      const parsed = subjectOf(ctx.args, ctx.flags);
      if (typeof parsed === "string") return reply(parsed.replace(/`/g, ""), section(parsed));
      const suffix = "pull" in parsed.subject ? `#${parsed.subject.pull}` : undefined;
      return readRepository(
        deps,
        {
          name: parsed.name,
          command: "checks",
          ...(suffix ? { suffix } : {}),
          help,
          what: "reading checks",
          log: ctx.log,
        },
        (session, target) => checksReply(deps, session, target, parsed.subject),
      );
    },
  };
}

async function checksReply(
  deps: GitHubCommandDeps,
  session: GitHubSession,
  target: RepositoryTarget,
  subject: Subject,
): Promise<Reply> {
  const { owner, repo } = target;
  const { octokit } = session;
  const ref = target.entry.ref;
  let sha: string;
  let about: string;
  let aboutMarkdown: string;
  const nav: Action[] = [];
  if ("pull" in subject) {
    let pull;
    try {
      ({ data: pull } = await octokit.rest.pulls.get({ owner, repo, pull_number: subject.pull }));
    } catch (error) {
      if ((error as { status?: unknown }).status !== 404) throw error;
      const none = `${target.slug} has no pull request #${subject.pull}.`;
      return reply(
        none,
        section(`**${escapeText(target.slug)}** has no pull request #${subject.pull}.`),
        actions({ label: "Open pull requests", command: `prs ${ref}` }),
      );
    }
    sha = pull.head.sha;
    about = `#${pull.number} ${pull.title}`;
    aboutMarkdown = `[#${pull.number} ${escapeText(pull.title.slice(0, 200))}](${pull.html_url})`;
    nav.push(
      { label: "Open pull requests", command: `prs ${ref}` },
      { label: `#${pull.number} on GitHub`, url: pull.html_url },
    );
  } else {
    const branch =
      "ref" in subject ? subject.ref : (await octokit.rest.repos.get({ owner, repo })).data.default_branch;
    sha = branch;
    about = branch;
    aboutMarkdown = `\`${escapeText(branch)}\``;
    nav.push({ label: "CI", command: `ci ${ref}` }, { label: "Pull requests", command: `prs ${ref}` });
  }
  const { data } = await octokit.rest.checks.listForRef({ owner, repo, ref: sha, per_page: MAX_CHECKS });
  const now = deps.now();
  if (data.check_runs.length === 0) {
    return reply(
      `No checks ran on ${about} in ${target.slug}.`,
      section(`No checks ran on ${aboutMarkdown}.`),
      actions(...nav),
    );
  }
  const blocks: Block[] = [
    header(`Checks on ${about}`.slice(0, 150)),
    context(`${escapeText(target.slug)} · ${aboutMarkdown}`),
  ];
  const failed: string[] = [];
  for (const run of data.check_runs) {
    const state = runState(run.status, run.conclusion);
    if (state === "failed" || state === "timed out") failed.push(run.name);
    const link = run.details_url ?? run.html_url;
    const name = escapeText(run.name.slice(0, 150));
    blocks.push(
      section(
        `${link ? `[${name}](${link})` : name} · **${state}** · ${ago(run.completed_at ?? run.started_at, now)}`,
      ),
    );
  }
  if (data.total_count > data.check_runs.length) {
    blocks.push(
      context(`and ${plural(data.total_count - data.check_runs.length, "more check")}: see them on GitHub.`),
    );
  }
  blocks.push(actions(...nav));
  const text =
    failed.length > 0
      ? `Checks on ${about}: ${failed.join(", ")} failed.`
      : `Checks on ${about}: ${plural(data.check_runs.length, "check")}, none failed.`;
  return reply(text, ...blocks);
}
