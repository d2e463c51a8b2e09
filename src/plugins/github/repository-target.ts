/**
 * From what a person typed to a GitHub repository: the catalog entity (resolved as every catalog command
 * resolves names, "did you mean" included), then its `github.com/project-slug` annotation. Each way this can
 * fail is an answer that says what to do.
 */
import {
  actions,
  context,
  escapeText,
  reply,
  section,
  type CatalogEntry,
  type CatalogView,
  type Reply,
} from "../api.ts";

export const SLUG_ANNOTATION = "github.com/project-slug";

/** GitHub's rules: an account of letters, digits and single hyphens (≤ 39); a repository of [\w.-] (≤ 100). */
const SLUG = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([\w.-]{1,100})$/;

export interface RepositoryTarget {
  entry: CatalogEntry;
  correctedFrom?: string;
  owner: string;
  repo: string;
  /** `owner/repo` */
  slug: string;
  /** What the entity is called in answers: its title, or its name. */
  name: string;
}

export interface CommandHelp {
  summary: string;
  usage: string;
  examples: string[];
}

export function usageReply(help: CommandHelp): Reply {
  return reply(
    `Usage: ${help.usage}`,
    section(`${help.summary}\nUsage: \`${help.usage}\``),
    context(`Examples: ${help.examples.map((e) => `\`${e}\``).join(", ")}`),
  );
}

export function displayName(entry: CatalogEntry): string {
  return entry.entity.metadata.title ?? entry.entity.metadata.name;
}

/**
 * The repository `query` names through the catalog, or the answer to send instead. `command` is the phrase
 * did-you-mean buttons run again; `suffix` what they keep after the name ("#42").
 */
export async function repositoryTarget(
  catalog: CatalogView,
  request: {
    query: string;
    command: string;
    suffix?: string | undefined;
    /** The GitHub's web host (github.com, an Enterprise Server's): a source location there suggests the slug. */
    githubHost: string;
  },
): Promise<RepositoryTarget | { reply: Reply }> {
  const { query, command, suffix } = request;
  const lookup = await catalog.lookup(query, {
    command,
    kinds: ["component"],
    ...(suffix ? { suffix } : {}),
  });
  if ("reply" in lookup) return lookup;
  const entry = lookup.found;
  const name = displayName(entry);
  const value = entry.entity.metadata.annotations?.[SLUG_ANNOTATION];
  if (value === undefined) {
    return { reply: catalog.answerFor(lookup, noSlugReply(entry, name, request.githubHost)) };
  }
  const slug = SLUG.exec(value.trim());
  if (!slug) {
    const where = entry.definedIn ? ` in ${entry.definedIn}` : "";
    return {
      reply: catalog.answerFor(
        lookup,
        reply(
          `${name}'s ${SLUG_ANNOTATION} annotation is not owner/repository.`,
          section(
            `**${escapeText(name)}** has \`${SLUG_ANNOTATION}\` set to \`${escapeText(value.slice(0, 200))}\`${where}, which is not \`<owner>/<repository>\`.`,
          ),
          context(
            `Write it as \`${SLUG_ANNOTATION}: acme/payments-api\`: the account and the repository, nothing else.`,
          ),
        ),
      ),
    };
  }
  return {
    entry,
    ...(lookup.correctedFrom !== undefined ? { correctedFrom: lookup.correctedFrom } : {}),
    owner: slug[1]!,
    repo: slug[2]!,
    slug: `${slug[1]}/${slug[2]}`,
    name,
  };
}

/** The answer for an entity without the annotation: which one to add, where, and with what, when we can tell. */
function noSlugReply(entry: CatalogEntry, name: string, githubHost: string): Reply {
  const guess = slugFromSourceLocation(entry, githubHost);
  const value = guess ?? "<owner>/<repository>";
  const where = entry.definedIn ? `its descriptor, ${entry.definedIn}` : "its catalog-info.yaml";
  const blocks = [
    section(
      `**${escapeText(name)}** has no \`${SLUG_ANNOTATION}\` annotation, so I don't know which GitHub repository is its.`,
    ),
    context(
      `Add \`${SLUG_ANNOTATION}: ${value}\` under \`metadata.annotations\` in ${where}.` +
        (guess ? ` (Its \`backstage.io/source-location\` points at ${guess}.)` : ""),
    ),
    actions({ label: `Show ${name}`, command: `show ${entry.ref}` }),
  ];
  return reply(`${name} has no ${SLUG_ANNOTATION} annotation: add one to its catalog-info.yaml.`, ...blocks);
}

/** `acme/payments-api` when the source location is a repository URL on the configured GitHub. */
function slugFromSourceLocation(entry: CatalogEntry, githubHost: string): string | undefined {
  const source = entry.entity.metadata.annotations?.["backstage.io/source-location"];
  if (!source) return undefined;
  const url = source.replace(/^url:/, "");
  if (!URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  if (parsed.host.toLowerCase() !== githubHost.toLowerCase()) return undefined;
  const [owner, repo] = parsed.pathname.split("/").filter(Boolean);
  const slug = owner && repo ? `${owner}/${repo.replace(/\.git$/, "")}` : undefined;
  return slug && SLUG.test(slug) ? slug : undefined;
}
