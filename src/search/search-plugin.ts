/**
 * The search plugin: the `search` command, the entity and owner pickers (Slack external_select, Teams
 * typeahead) and compose-box search (Teams message extension), all over the one SearchIndex.
 */
import type { Option } from "../message/form.ts";
import {
  actions,
  context,
  escapeText,
  header,
  reply,
  section,
  type Block,
  type Reply,
} from "../message/reply.ts";
import type { ChatCommand, OptionsProvider, Plugin, SearchHit, SearchProvider } from "../plugins/api.ts";
import { kindLabel, kindName } from "../text/kind-names.ts";
import { editDistance } from "./edit-distance.ts";
import type { Snippet } from "./highlight.ts";
import { parseSearchText, tokenize } from "./query-text.ts";
import type { SearchFacets, SearchFilters, SearchIndex, SearchResultHit } from "./search-index.ts";

export interface SearchPluginDeps {
  index: SearchIndex;
  /** A display name for a ref (e.g. an owner group's title); the ref's name is shown when absent. */
  describe?: (ref: string) => string | undefined | Promise<string | undefined>;
  /** Hits per `search` reply (default 8). */
  limit?: number;
  /** Turns an `owner:` filter as typed into the form documents carry (the catalog's canonical refs). */
  ownerRef?: (typed: string) => string;
  /**
   * The entity kinds there are and how many of each, to say which exist when `kind:` names none. Without
   * it the index's facets are asked, which engines may count over only the first matches (embedded: 1,000).
   */
  kinds?: () => Record<string, number> | Promise<Record<string, number>>;
}

const OWNER_KINDS = ["group", "user"];
/** Slack caps option text at 75 characters; Teams shows less. */
const OPTION_LABEL = 75;
const LINE = 140;

export function searchPlugin(deps: SearchPluginDeps): Plugin {
  return {
    id: "search",
    register(api) {
      api.addCommand(searchCommand(deps));
      api.addOptionsProvider(entityOptions("entity", deps, undefined));
      api.addOptionsProvider(entityOptions("owner", deps, OWNER_KINDS));
      api.addSearchProvider(composeSearch(deps));
    },
  };
}

export function searchCommand(deps: SearchPluginDeps): ChatCommand {
  return {
    name: "search",
    phrases: ["search", "find"],
    summary: "Search the catalog and the docs, typos welcome.",
    usage: "search <words> [kind:<kind>] [owner:<group>] [tag:<tag>] [lifecycle:<lifecycle>] [type:doc]",
    examples: [
      "search kafka consumer",
      "search kind:api owner:team-payments tag:grpc",
      "find rotate secrets",
    ],
    async handler(ctx) {
      const typed = ctx.args.trim();
      if (typed === "") {
        return reply(
          "What should I search for? Try: search kafka consumer",
          section(
            "What should I search for? Try `search kafka consumer` or `search kind:api owner:team-payments`.",
          ),
        );
      }
      const query = parseSearchText(typed, { ownerRef: deps.ownerRef });
      // Filters and no words list what the filters select: there is no "result for" anything, and the
      // heading says what was listed. Entities only unless `type:` says otherwise: a component's doc pages
      // are not components, and counting them made "kind:component" say 104 where there were 60.
      const filters = query.filters && tokenize(query.q).length === 0 ? query.filters : undefined;
      const docsLeftOut = filters !== undefined && filters.type === undefined;
      if (docsLeftOut) filters.type = ["entity"];
      const result = await deps.index.search({ ...query, limit: deps.limit ?? 8, facets: true });
      const shown = typed.length > 80 ? `${typed.slice(0, 77)}...` : typed;
      const listing = filters ? await describeListing(filters, deps) : undefined;
      if (result.hits.length === 0) {
        const unknown = query.filters?.kind
          ? await unknownKindReply(typed, query.filters.kind, deps)
          : undefined;
        if (unknown) return unknown;
        if (listing) {
          return reply(
            `No ${listing.plain}.`,
            section(`No ${listing.markdown}.`),
            context(
              "Drop a filter, or check its spelling: `owner:` takes a team's name, `tag:` a tag as written.",
            ),
          );
        }
        return reply(
          `No results for "${shown}".`,
          section(`No results for **${escapeText(shown)}**.`),
          context("Try fewer words, the start of a name (`paym`), or drop a filter such as `kind:api`."),
        );
      }
      const heading = listing ? `${listing.heading} (${result.total})` : `Results for "${shown}"`;
      const blocks: Block[] = [header(heading)];
      for (const hit of result.hits) blocks.push(...(await hitBlocks(hit, deps)));
      // A filter with one value would only repeat itself as a facet ("kind: api 21" under "APIs (21)").
      const facets = result.facets ? facetLine(result.facets, query.filters) : "";
      const more =
        result.total > result.hits.length ? `${result.hits.length} of ${result.total} shown. ` : "";
      if (more || facets) blocks.push(context(`${more}${facets}`.trim()));
      if (listing) {
        const hints: string[] = [];
        if (more) hints.push(`Add words to narrow the list: \`search ${escapeText(shown)} <words>\`.`);
        if (docsLeftOut) hints.push("Doc pages are not listed; `type:doc` lists them.");
        if (hints.length > 0) blocks.push(context(hints.join(" ")));
      }
      const names = result.hits.map((h) => (h.type === "doc" ? `${h.title} (${h.name} docs)` : h.name));
      return { text: `${heading}: ${names.join(", ")}`, blocks } satisfies Reply;
    },
  };
}

interface Listing {
  /** For the header: plain text, "APIs owned by Payments Team". */
  heading: string;
  /** Inside a sentence: "APIs owned by Payments Team", lower-case where a sentence needs it. */
  plain: string;
  markdown: string;
}

/** What a filter-only search lists, in words: "APIs owned by Payments Team tagged grpc". */
async function describeListing(filters: SearchFilters, deps: SearchPluginDeps): Promise<Listing> {
  const kinds = filters.kind ?? [];
  const plural = kinds.map((kind) => kindLabel(kind, 2));
  const lower = plural.map((label) => (/^[A-Z]{2}/.test(label) ? label : label.toLowerCase()));
  const docsOnly = filters.type?.length === 1 && filters.type[0] === "doc";
  const both = (filters.type?.length ?? 0) > 1;
  const noun = docsOnly
    ? kinds.length > 0
      ? `Docs of ${lower.join(" and ")}`
      : "Docs"
    : kinds.length > 0
      ? [plural[0]!, ...lower.slice(1)].join(" and ")
      : both
        ? "Entities and docs"
        : "Entities";
  const owners = await Promise.all((filters.owner ?? []).map((owner) => ownerLabel(owner, deps)));
  const parts: Array<[string, string[]]> = [
    ["owned by", owners],
    ["tagged", filters.tag ?? []],
    ["with lifecycle", filters.lifecycle ?? []],
  ];
  const words = (escape: (text: string) => string) =>
    parts
      .filter(([, values]) => values.length > 0)
      .map(([lead, values]) => ` ${lead} ${values.map(escape).join(" or ")}`)
      .join("");
  const heading = `${noun}${words((text) => text)}`;
  // In "No APIs …" the noun is mid-sentence; "No entities", not "No Entities".
  const inSentence = /^[A-Z]{2}/.test(noun) ? noun : noun.charAt(0).toLowerCase() + noun.slice(1);
  return {
    heading,
    plain: `${inSentence}${words((text) => text)}`,
    markdown: `${escapeText(inSentence)}${words(escapeText)}`,
  };
}

/** The kinds there are, most entities first. */
async function knownKinds(deps: SearchPluginDeps): Promise<Array<[string, number]>> {
  const counts = deps.kinds
    ? await deps.kinds()
    : ((await deps.index.search({ q: "", filters: { type: ["entity"] }, limit: 1, facets: true })).facets
        ?.kind ?? {});
  return Object.entries(counts)
    .map(([kind, n]): [string, number] => [kind.toLowerCase(), n])
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/**
 * When `kind:` names no kind there is: "No results for kind:apis" sent people dropping filters that were
 * fine. Says so, lists the kinds there are, and offers the nearest as the same search with it instead.
 */
async function unknownKindReply(
  typed: string,
  kinds: string[],
  deps: SearchPluginDeps,
): Promise<Reply | undefined> {
  const known = await knownKinds(deps);
  if (known.length === 0) return undefined;
  const unknown = kinds.filter((kind) => !known.some(([k]) => k === kind));
  if (unknown.length === 0) return undefined;
  const quoted = unknown.map((kind) => `"${kind}"`).join(", ");
  const bold = unknown.map((kind) => `**${escapeText(kind)}**`).join(", ");
  const lead = unknown.length === 1 ? "There is no kind" : "There are no kinds";
  const list = known.map(([kind, n]) => `\`kind:${kind}\` (${n})`).join(", ");
  const blocks: Block[] = [section(`${lead} ${bold} in the catalog.\nKinds in the catalog: ${list}.`)];
  const nearest = nearestKind(
    unknown[0]!,
    known.map(([kind]) => kind),
  );
  if (nearest) {
    const command = typed
      .trim()
      .split(/\s+/)
      .map((word) => {
        const match = /^kind:(.+)$/i.exec(word);
        if (!match) return word;
        const values = match[1]!.split(",").map((v) => (v.trim().toLowerCase() === unknown[0] ? nearest : v));
        return `kind:${values.join(",")}`;
      })
      .join(" ");
    blocks.push(actions({ label: `Search kind:${nearest}`, command: `search ${command}` }));
  }
  const names = known.map(([kind]) => kindName(kind)).join(", ");
  return reply(`${lead} ${quoted} in the catalog. Kinds: ${names}.`, ...blocks);
}

/** The kind a typo or a plural most likely meant ("apis", "compnent"), if one is that close. */
function nearestKind(typed: string, known: string[]): string | undefined {
  const budget = typed.length >= 6 ? 2 : 1;
  let best: string | undefined;
  let bestDistance = budget + 1;
  for (const kind of known) {
    const distance = editDistance(typed, kind, budget);
    if (distance < bestDistance) [best, bestDistance] = [kind, distance];
  }
  return best;
}

async function hitBlocks(hit: SearchResultHit, deps: SearchPluginDeps): Promise<Block[]> {
  const owner = hit.owner ? await ownerLabel(hit.owner, deps) : undefined;
  // A match only in the name (or title) would repeat the heading line: the description says more.
  const fromHeading = hit.snippet !== undefined && [hit.name, hit.title].includes(hit.snippet.text);
  const line = markSnippet(
    oneLine(hit.snippet && !fromHeading ? hit.snippet : { text: hit.text, matches: [] }),
  );
  if (hit.type === "doc") {
    const title = hit.url ? `[${escapeText(hit.title)}](${hit.url})` : escapeText(hit.title);
    const text = [`**${title}** · docs of \`${escapeText(hit.name)}\``, line].filter(Boolean).join("\n");
    return [
      section(text),
      actions(...(hit.url ? [{ label: "Open docs", url: hit.url }] : []), {
        label: `Show ${hit.name}`,
        command: `show ${hit.ref}`,
      }),
    ];
  }
  const title = hit.title && hit.title !== hit.name ? ` (${escapeText(hit.title)})` : "";
  const meta = [`_${escapeText(hit.kind)}_`, owner ? `owned by ${escapeText(owner)}` : undefined]
    .filter(Boolean)
    .join(" · ");
  const text = [`**${escapeText(hit.name)}**${title} · ${meta}`, line].filter(Boolean).join("\n");
  return [section(text), actions({ label: "Show", command: `show ${hit.ref}` })];
}

async function ownerLabel(ref: string, deps: SearchPluginDeps): Promise<string> {
  const described = deps.describe ? await deps.describe(ref) : undefined;
  return described ?? ref.replace(/^group:default\//, "");
}

/** A snippet in the middle language: everything escaped, the matched words in bold. */
export function markSnippet(snippet: Snippet): string {
  let out = "";
  let cursor = 0;
  for (const [start, end] of snippet.matches) {
    if (start < cursor || end <= start) continue;
    out += `${escapeText(snippet.text.slice(cursor, start))}**${escapeText(snippet.text.slice(start, end))}**`;
    cursor = end;
  }
  return out + escapeText(snippet.text.slice(cursor));
}

/** The first line of a passage, cut at a word past LINE characters; matches cut through are left plain. */
function oneLine(snippet: Snippet): Snippet {
  const raw = snippet.text.split("\n")[0] ?? "";
  const from = raw.length - raw.trimStart().length;
  const first = raw.trim();
  const shift = (matches: Array<[number, number]>, limit: number) =>
    matches
      .map(([start, end]): [number, number] => [start - from, end - from])
      .filter(([start, end]) => start >= 0 && end <= limit);
  if (first.length <= LINE) return { text: first, matches: shift(snippet.matches, first.length) };
  const cut = first.slice(0, LINE);
  const space = cut.lastIndexOf(" ");
  const end = space > 80 ? space : LINE;
  return { text: `${cut.slice(0, end)}…`, matches: shift(snippet.matches, end) };
}

function facetLine(facets: SearchFacets, filters: SearchFilters | undefined): string {
  const part = (label: string, counts: Record<string, number>) => {
    const top = Object.entries(counts)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 5)
      .map(([value, n]) => `${escapeText(value.replace(/^group:default\//, ""))} ${n}`);
    return top.length > 0 ? `${label}: ${top.join(", ")}` : "";
  };
  const fixed = (key: "kind" | "owner" | "tag") => filters?.[key]?.length === 1;
  return [
    fixed("kind") ? "" : part("kind", facets.kind),
    fixed("owner") ? "" : part("owner", facets.owner),
    fixed("tag") ? "" : part("tag", facets.tag),
  ]
    .filter(Boolean)
    .join(" · ");
}

function entityOptions(
  id: string,
  deps: SearchPluginDeps,
  defaultKinds: string[] | undefined,
): OptionsProvider {
  return {
    id,
    async options(query, filter) {
      const kinds = filter.kinds && filter.kinds.length > 0 ? filter.kinds : defaultKinds;
      const result = await deps.index.search({
        q: query,
        filters: { type: ["entity"], ...(kinds ? { kind: kinds.map((k) => k.toLowerCase()) } : {}) },
        limit: 20,
      });
      return result.hits.map((hit): Option => {
        const label = hit.title && hit.title !== hit.name ? `${hit.title} (${hit.name})` : hit.name;
        const option: Option = { value: hit.ref, label: truncate(label, OPTION_LABEL) };
        const description = [hit.kind, hit.owner?.replace(/^group:default\//, "")]
          .filter(Boolean)
          .join(" · ");
        if (description) option.description = truncate(description, OPTION_LABEL);
        return option;
      });
    },
  };
}

function composeSearch(deps: SearchPluginDeps): SearchProvider {
  return {
    id: "search",
    async search(query, limit) {
      const result = await deps.index.search({
        ...parseSearchText(query, { ownerRef: deps.ownerRef }),
        limit,
      });
      return result.hits.map((hit): SearchHit => {
        const out: SearchHit = {
          title: hit.type === "doc" ? `${hit.title} (${hit.name} docs)` : hit.title || hit.name,
          subtitle: [hit.kind, hit.owner?.replace(/^group:default\//, "")].filter(Boolean).join(" · "),
          command: `show ${hit.ref}`,
        };
        if (hit.text) out.text = truncate(hit.text.split("\n")[0] ?? "", LINE);
        if (hit.url) out.url = hit.url;
        return out;
      });
    },
  };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
