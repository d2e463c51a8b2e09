/** The steps every GitHub command shares: resolve the component, act for its owner, turn failures into answers. */
import type { Logger } from "pino";
import type { GitHubClient, GitHubSession } from "../../github/github-client.ts";
import type { CatalogView, Reply } from "../api.ts";
import { failureReply, notSetUpReply } from "./github-failure.ts";
import {
  repositoryTarget,
  usageReply,
  type CommandHelp,
  type RepositoryTarget,
} from "./repository-target.ts";

export interface GitHubCommandDeps {
  catalog: CatalogView;
  github: GitHubClient;
  now: () => Date;
}

export interface ReadRequest {
  /** The words after the command: the component's name. */
  name: string;
  /** The command's phrase, for did-you-mean buttons. */
  command: string;
  /** Kept after the name on did-you-mean buttons ("#42"). */
  suffix?: string;
  help: CommandHelp;
  /** What Callboard is doing, for failures: "listing pull requests". */
  what: string;
  log: Logger;
}

/**
 * Resolves `request.name` to a repository and runs `read` with a session that acts for its owner. Whatever
 * goes wrong is an answer: the did-you-mean, the missing annotation, the App not installed, GitHub's refusal
 * or rate limit. The answer says which entity it is about when the name was corrected.
 */
export async function readRepository(
  deps: GitHubCommandDeps,
  request: ReadRequest,
  read: (session: GitHubSession, target: RepositoryTarget) => Promise<Reply>,
): Promise<Reply> {
  if (!request.name) return usageReply(request.help);
  const target = await repositoryTarget(deps.catalog, {
    query: request.name,
    command: request.command,
    suffix: request.suffix,
    githubHost: new URL(deps.github.webUrl).host,
  });
  if ("reply" in target) return target.reply;
  const lookup = {
    found: target.entry,
    ...(target.correctedFrom !== undefined ? { correctedFrom: target.correctedFrom } : {}),
  };
  let session: GitHubSession;
  try {
    session = await deps.github.forOwner(target.owner);
  } catch (error) {
    request.log.warn(
      { err: deps.github.redact(String(error)), repository: target.slug },
      "no GitHub session",
    );
    return deps.catalog.answerFor(lookup, notSetUpReply(error, deps.github, target));
  }
  try {
    return deps.catalog.answerFor(lookup, await read(session, target));
  } catch (error) {
    request.log.warn(
      {
        err: deps.github.redact(error instanceof Error ? error.message : String(error)),
        repository: target.slug,
      },
      `GitHub failed while ${request.what}`,
    );
    return deps.catalog.answerFor(
      lookup,
      failureReply(error, {
        github: deps.github,
        target,
        actingAs: session.actingAs,
        what: request.what,
        now: deps.now(),
      }),
    );
  }
}
