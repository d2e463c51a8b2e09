/** `prs <component>`: the open pull requests of the component's repository, with review state, author and age. */
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
import { reviewSummary, type ReviewLike, type ReviewSummary } from "./review-state.ts";

/** Pull requests on one page of the answer: GitHub's own page size, and one reviews request each. */
export const PULLS_PER_PAGE = 30;
/** Beyond this page the list is better read on GitHub (and GitHub's pagination slows down). */
export const MAX_PAGE = 100;
/** Review pages read per pull request (100 reviews a page); a longer review history is rare and capped. */
const MAX_REVIEW_PAGES = 3;
/** Reviews requests in flight at once. */
const CONCURRENCY = 6;

const help = {
  summary: "The open pull requests of a component's repository, with review state, author and age.",
  usage: "prs <component> [--page N]",
  examples: ["prs payments-api", "prs payments-api --page 2"],
};

export function prsCommand(deps: GitHubCommandDeps): ChatCommand {
  return {
    name: "prs",
    phrases: ["prs", "pull requests", "pulls", "open prs", "open pull requests"],
    ...help,
    async handler(ctx) {
      const page = pageOf(ctx.flags.page);
      if (page === undefined) {
        return reply(
          `--page must be a number from 1 to ${MAX_PAGE}.`,
          section(`\`--page\` must be a number from 1 to ${MAX_PAGE}.`),
        );
      }
      return readRepository(
        deps,
        {
          name: ctx.args,
          command: "prs",
          ...(page > 1 ? { suffix: `--page ${page}` } : {}),
          help,
          what: "listing pull requests",
          log: ctx.log,
        },
        (session, target) => pullRequestsReply(deps, session, target, page),
      );
    },
  };
}

function pageOf(flag: string | true | undefined): number | undefined {
  if (flag === undefined) return 1;
  if (flag === true || !/^\d{1,4}$/.test(flag)) return undefined;
  const page = Number(flag);
  return page >= 1 && page <= MAX_PAGE ? page : undefined;
}

/** A pull request's reviews, oldest first, at most MAX_REVIEW_PAGES pages of them. */
async function reviewsOf(
  session: GitHubSession,
  target: RepositoryTarget,
  number: number,
): Promise<ReviewLike[]> {
  const { octokit } = session;
  const found: ReviewLike[] = [];
  let pages = 0;
  for await (const { data } of octokit.paginate.iterator(octokit.rest.pulls.listReviews, {
    owner: target.owner,
    repo: target.repo,
    pull_number: number,
    per_page: 100,
  })) {
    found.push(...data);
    if (++pages >= MAX_REVIEW_PAGES) break;
  }
  return found;
}

/**
 * Who decided: those who asked for changes when any did, else those who approved; with no verdict yet, whose
 * review was requested.
 */
function reviewers(summary: ReviewSummary, requested: string[]): string {
  const at = (logins: string[]) => logins.map((login) => `@${escapeText(login)}`).join(", ");
  if (summary.changesRequestedBy.length > 0) return ` (${at(summary.changesRequestedBy)})`;
  if (summary.approvedBy.length > 0) return ` (${at(summary.approvedBy)})`;
  return requested.length > 0 ? ` from ${requested.join(", ")}` : "";
}

/** Whose review a pull request waits for, as markdown: `@login` for people, `team slug` for teams. */
function requestedOf(pr: {
  requested_reviewers?: Array<{ login: string }> | null;
  requested_teams?: Array<{ slug: string }> | null;
}): string[] {
  return [
    ...(pr.requested_reviewers ?? []).map((user) => `@${escapeText(user.login)}`),
    ...(pr.requested_teams ?? []).map((team) => `team ${escapeText(team.slug)}`),
  ];
}

async function pullRequestsReply(
  deps: GitHubCommandDeps,
  session: GitHubSession,
  target: RepositoryTarget,
  page: number,
): Promise<Reply> {
  const { owner, repo } = target;
  const { octokit } = session;
  const response = await octokit.rest.pulls.list({
    owner,
    repo,
    state: "open",
    per_page: PULLS_PER_PAGE,
    page,
  });
  const pulls = response.data;
  const more = /\brel="next"/.test(response.headers.link ?? "");
  const reviews = await mapLimited(pulls, CONCURRENCY, (pr) => reviewsOf(session, target, pr.number));
  const now = deps.now();
  const slug = escapeText(target.slug);
  const allUrl = `${deps.github.webUrl}/${target.slug}/pulls`;
  const nav: Action[] = [];
  if (more) nav.push({ label: "More pull requests", command: `prs ${target.entry.ref} --page ${page + 1}` });
  nav.push(
    { label: "CI", command: `ci ${target.entry.ref}` },
    { label: "Repository", command: `repo ${target.entry.ref}` },
    { label: "All on GitHub", url: allUrl },
  );

  if (pulls.length === 0) {
    const none = page === 1 ? "No open pull requests" : "No more open pull requests";
    return reply(`${none} in ${target.slug}.`, section(`${none} in **${slug}**.`), actions(...nav));
  }
  const first = (page - 1) * PULLS_PER_PAGE + 1;
  const range = `${first}–${first + pulls.length - 1}`;
  const shown =
    more || page > 1
      ? `${range}${more ? ", more on the next page" : ""}`
      : plural(pulls.length, "pull request");
  const blocks: Block[] = [
    header(`Open pull requests in ${target.slug}`),
    context(`${escapeText(target.name)} · newest first · ${shown}`),
  ];
  pulls.forEach((pr, i) => {
    const summary = reviewSummary(reviews[i]!);
    const state = pr.draft ? `draft, ${summary.decision}` : summary.decision;
    const author = pr.user ? `@${escapeText(pr.user.login)}` : "a deleted account";
    blocks.push(
      section(
        `[#${pr.number} ${escapeText(pr.title.slice(0, 200))}](${pr.html_url})\n` +
          `**${state}**${reviewers(summary, requestedOf(pr))} · by ${author} · opened ${ago(pr.created_at, now)}`,
      ),
      actions({ label: `Checks #${pr.number}`, command: `checks ${target.entry.ref} #${pr.number}` }),
    );
  });
  blocks.push(actions(...nav));
  const text = more
    ? `Open pull requests ${range} in ${target.slug}, more on the next page.`
    : `${plural(first - 1 + pulls.length, "open pull request")} in ${target.slug}.`;
  return reply(text, ...blocks);
}
