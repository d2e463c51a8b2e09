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
import type { Snippet } from "./highlight.ts";
import { parseSearchText } from "./query-text.ts";
import type { SearchFacets, SearchIndex, SearchResultHit } from "./search-index.ts";

export interface SearchPluginDeps {
  index: SearchIndex;
  /** A display name for a ref (e.g. an owner group's title); the ref's name is shown when absent. */
  describe?: (ref: string) => string | undefined | Promise<string | undefined>;
  /** Hits per `search` reply (default 8). */
  limit?: number;
  /** Turns an `owner:` filter as typed into the form documents carry (the catalog's canonical refs). */
  ownerRef?: (typed: string) => string;
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
      const result = await deps.index.search({ ...query, limit: deps.limit ?? 8, facets: true });
      const shown = typed.length > 80 ? `${typed.slice(0, 77)}...` : typed;
      if (result.hits.length === 0) {
        return reply(
          `No results for "${shown}".`,
          section(`No results for **${escapeText(shown)}**.`),
          context("Try fewer words, the start of a name (`paym`), or drop a filter such as `kind:api`."),
        );
      }
      const blocks: Block[] = [header(`Results for "${shown}"`)];
      for (const hit of result.hits) blocks.push(...(await hitBlocks(hit, deps)));
      const facets = result.facets ? facetLine(result.facets) : "";
      const more =
        result.total > result.hits.length ? `${result.hits.length} of ${result.total} shown. ` : "";
      if (more || facets) blocks.push(context(`${more}${facets}`.trim()));
      const names = result.hits.map((h) => (h.type === "doc" ? `${h.title} (${h.name} docs)` : h.name));
      return { text: `Results for "${shown}": ${names.join(", ")}`, blocks } satisfies Reply;
    },
  };
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

function facetLine(facets: SearchFacets): string {
  const part = (label: string, counts: Record<string, number>) => {
    const top = Object.entries(counts)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 5)
      .map(([value, n]) => `${escapeText(value.replace(/^group:default\//, ""))} ${n}`);
    return top.length > 0 ? `${label}: ${top.join(", ")}` : "";
  };
  return [part("kind", facets.kind), part("owner", facets.owner), part("tag", facets.tag)]
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
