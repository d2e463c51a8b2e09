/**
 * The docs chat commands: `docs <question>` (the best matching sections, with a deep link to each),
 * `docs <entity>` (its docs home and top-level pages), filters as in search (`owner:`, `kind:`), and
 * `docs rebuild <entity>`. Answers are Reply values; nothing here knows a chat platform.
 */
import { parseEntityRef, stringifyEntityRef } from "../catalog/model/ref.ts";
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
import type { ChatCommand } from "../plugins/api.ts";
import { parseSearchText } from "../search/query-text.ts";
import type { SearchIndex } from "../search/search-index.ts";
import { markSnippet } from "../search/search-plugin.ts";
import type { MemoryDocsLibrary } from "./docs-library.ts";
import type { DocsCatalog, DocsService } from "./docs-service.ts";
import { sectionUrl } from "./docs-search-source.ts";
import { sitePath, type BuiltSite, type NavItem } from "./model.ts";

export interface DocsCommandDeps {
  library: MemoryDocsLibrary;
  service: DocsService;
  catalog: DocsCatalog;
  search: SearchIndex;
  baseUrl: string;
  ownerRef?: (typed: string) => string;
  /** Sections per answer (default 5). */
  limit?: number;
}

const SNIPPET = 160;
const SETTLE_MS = 1500;

export function docsCommand(deps: DocsCommandDeps): ChatCommand {
  return {
    name: "docs",
    phrases: ["docs", "doc", "documentation", "techdocs"],
    summary: "Find the docs sections that answer a question, or open an entity's docs.",
    usage: "docs <question> [owner:<group>] [kind:<kind>] | docs <entity> | docs rebuild <entity>",
    examples: ["docs rotate database credentials", "docs payments-api", "docs kafka lag owner:team-payments"],
    async handler(ctx) {
      const typed = ctx.args.trim();
      if (typed === "") return overview(deps);
      const ref = exactEntity(typed, deps);
      if (ref) return entityDocs(ref, deps);
      return answer(typed, deps);
    },
  };
}

export function docsRebuildCommand(deps: DocsCommandDeps): ChatCommand {
  return {
    name: "docs-rebuild",
    phrases: ["docs rebuild", "rebuild docs"],
    summary: "Build one entity's docs again now (nothing is redone when its sources did not change).",
    usage: "docs rebuild <entity>",
    examples: ["docs rebuild payments-api"],
    async handler(ctx) {
      const typed = ctx.args.trim();
      if (typed === "")
        return reply(
          "Which entity? Try: docs rebuild payments-api",
          section("Which entity? Try `docs rebuild payments-api`."),
        );
      const ref = exactEntity(typed, deps);
      if (!ref) {
        return reply(
          `No entity named "${short(typed)}".`,
          section(`No entity is named **${escapeText(short(typed))}**.`),
          context(
            "Use the entity's name or ref as `show` prints it, e.g. `docs rebuild component:default/payments-api`.",
          ),
        );
      }
      const outcome = await deps.service.rebuild(ref);
      switch (outcome.kind) {
        case "none":
          return reply(
            `${ref} declares no docs.`,
            section(
              `\`${escapeText(ref)}\` has no \`backstage.io/techdocs-ref\` annotation, so it has no docs to build.`,
            ),
            context("Add `backstage.io/techdocs-ref: dir:.` next to an mkdocs.yml."),
          );
        case "borrowed":
          return reply(
            `${ref} shows the docs of ${outcome.siteRef}.`,
            section(
              `\`${escapeText(ref)}\` borrows the docs of \`${escapeText(outcome.siteRef)}\` (backstage.io/techdocs-entity): rebuild that one.`,
            ),
            actions({ label: `Rebuild ${outcome.siteRef}`, command: `docs rebuild ${outcome.siteRef}` }),
          );
        case "problem":
          return reply(
            `The docs of ${ref} could not be built: ${outcome.message}`,
            section(`The docs of \`${escapeText(ref)}\` could not be built:\n${escapeText(outcome.message)}`),
            context(outcome.kept ? "The last good build is still served." : "Nothing is served for it yet."),
          );
        case "built": {
          const site = deps.library.getSite(ref);
          const from = outcome.commit ? ` (commit ${outcome.commit.slice(0, 7)})` : "";
          const what = outcome.changed
            ? `Rebuilt ${outcome.pages} of ${outcome.total} pages of **${escapeText(site?.siteName ?? ref)}**${from}.`
            : `**${escapeText(site?.siteName ?? ref)}** is up to date${from}: its sources did not change, nothing was rebuilt.`;
          const warnings = outcome.notes.filter((n) => n.level !== "info");
          const blocks: Block[] = [section(what)];
          if (warnings.length > 0) {
            const lines = warnings.slice(0, 5).map((n) => `• ${escapeText(noteText(n))}`);
            if (warnings.length > 5) lines.push(`…and ${warnings.length - 5} more`);
            blocks.push(context(`Notes:\n${lines.join("\n")}`));
          }
          if (site) blocks.push(actions({ label: "Open docs", url: `${deps.baseUrl}${sitePath(site.key)}` }));
          return { text: what.replace(/\*\*/g, ""), blocks } satisfies Reply;
        }
      }
    },
  };
}

function noteText(n: { message: string; file?: string; line?: number }): string {
  return n.file ? `${n.file}${n.line ? `:${n.line}` : ""}: ${n.message}` : n.message;
}

function short(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** A ref or a name typed exactly (case-insensitive) that names one entity with docs, or any entity. */
function exactEntity(typed: string, deps: DocsCommandDeps): string | undefined {
  if (/\s/.test(typed) || (typed.includes(":") && !/^[a-z]+:/i.test(typed))) return undefined;
  if (typed.includes(":") || typed.includes("/")) {
    try {
      const ref = stringifyEntityRef(
        parseEntityRef(typed.toLowerCase(), { defaultKind: "component", defaultNamespace: "default" }),
      );
      return deps.catalog.get(ref) || deps.library.getSite(ref) ? ref : undefined;
    } catch {
      return undefined;
    }
  }
  const refs = deps.catalog.byName(typed);
  if (refs.length === 0) return undefined;
  // Prefer the entity that has docs when several kinds share the name (a component and its API).
  return refs.find((ref) => deps.library.getSite(ref)) ?? refs[0];
}

function overview(deps: DocsCommandDeps): Reply {
  const sites = deps.library.listSites();
  if (sites.length === 0) {
    return reply(
      "No docs are built yet.",
      section(
        "No docs are built yet. An entity gets docs with `backstage.io/techdocs-ref: dir:.` beside an mkdocs.yml.",
      ),
    );
  }
  const shown = sites
    .slice(0, 10)
    .map(
      (s) =>
        `• [${escapeText(s.siteName)}](${deps.baseUrl}${sitePath(s.key)}) · \`${escapeText(s.entityRef)}\``,
    );
  return reply(
    `${sites.length} docs sites. Ask: docs <question>`,
    header("Docs"),
    section(shown.join("\n")),
    context(
      `${sites.length > 10 ? `10 of ${sites.length} shown. ` : ""}Ask a question: \`docs rotate database credentials\`, or open one: \`docs payments-api\`. All docs: ${deps.baseUrl}/docs`,
    ),
  );
}

function entityDocs(ref: string, deps: DocsCommandDeps): Reply {
  const site = deps.library.getSite(ref);
  const borrowed = deps.library.getBorrowed(ref);
  if (!site) {
    const problem = deps.service.problem(ref);
    if (problem) {
      return reply(
        `The docs of ${ref} could not be built: ${problem}`,
        section(`The docs of \`${escapeText(ref)}\` could not be built:\n${escapeText(problem)}`),
        actions({ label: "Try again", command: `docs rebuild ${ref}` }),
      );
    }
    return reply(
      `${ref} has no docs.`,
      section(`\`${escapeText(ref)}\` has no docs yet.`),
      context(
        "Add `backstage.io/techdocs-ref: dir:.` to its catalog-info.yaml, with an mkdocs.yml and docs/index.md beside it.",
      ),
    );
  }
  const start = borrowed?.path ?? "";
  const home = `${deps.baseUrl}${sitePath(site.key, start && site.pages[start] ? start : "")}`;
  const top = site.nav.slice(0, 15).map((item) => navLine(item, site, deps));
  const blocks: Block[] = [
    header(`${site.siteName} docs`),
    section(
      [
        `[Docs home](${home})${borrowed ? ` · shared from \`${escapeText(site.entityRef)}\`` : ""}`,
        site.description ? escapeText(site.description) : "",
      ]
        .filter(Boolean)
        .join("\n"),
    ),
  ];
  if (top.length > 0) blocks.push(section(top.join("\n")));
  const problem = deps.service.problem(ref);
  if (problem)
    blocks.push(context(`The last rebuild failed (${escapeText(problem)}); this is the last good build.`));
  blocks.push(
    actions(
      { label: "Open docs", url: home },
      { label: "Rebuild", command: `docs rebuild ${site.entityRef}` },
    ),
  );
  return { text: `${site.siteName} docs: ${home}`, blocks };
}

function navLine(item: NavItem, site: BuiltSite, deps: DocsCommandDeps): string {
  if (item.url) return `• [${escapeText(item.title)}](${item.url})`;
  if (item.path !== undefined)
    return `• [${escapeText(item.title)}](${deps.baseUrl}${sitePath(site.key, item.path)})`;
  const first = firstPage(item.children ?? []);
  const count = countPages(item.children ?? []);
  const title =
    first !== undefined
      ? `[${escapeText(item.title)}](${deps.baseUrl}${sitePath(site.key, first)})`
      : escapeText(item.title);
  return `• ${title} (${count} page${count === 1 ? "" : "s"})`;
}

function firstPage(items: NavItem[]): string | undefined {
  for (const item of items) {
    if (item.path !== undefined) return item.path;
    const inner = firstPage(item.children ?? []);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

function countPages(items: NavItem[]): number {
  return items.reduce((n, item) => n + (item.path !== undefined ? 1 : countPages(item.children ?? [])), 0);
}

async function answer(typed: string, deps: DocsCommandDeps): Promise<Reply> {
  // Just after start-up the first build may still be under way: give it a moment rather than answer "no
  // match" for docs that are about to exist. Bounded, so the answer still comes within chat's deadline.
  await deps.service.settled(SETTLE_MS);
  const query = parseSearchText(typed, { ownerRef: deps.ownerRef });
  const shown = short(typed);
  if (query.q.trim() === "" && !query.filters) return overview(deps);
  const result = await deps.search.search({
    ...query,
    filters: { ...query.filters, type: ["doc"] },
    limit: deps.limit ?? 5,
  });
  if (result.hits.length === 0) {
    return reply(
      `No docs section matches "${shown}".`,
      section(`No docs section matches **${escapeText(shown)}**.`),
      context("Try other words, fewer words, or `search` to look through the catalog too."),
    );
  }
  const blocks: Block[] = [header(`Docs for "${shown}"`)];
  const lines: string[] = [];
  for (const hit of result.hits) {
    const site = deps.library.getSite(hit.ref);
    const [, pagePath = ""] = hit.id.slice(hit.ref.length + 1).match(/^(.*)#[^#]*$/) ?? [];
    const page = site?.pages[pagePath];
    const url = site && page ? sectionUrl(deps.baseUrl, site, page, hit.section ?? "") : hit.url;
    const where = [site?.siteName, page?.title]
      .filter(Boolean)
      .map((t) => escapeText(t!))
      .join(" › ");
    const heading = page && hit.section ? escapeText(hit.title) : "";
    const title = [where, heading].filter(Boolean).join(" › ") || escapeText(hit.title);
    const snippet = hit.snippet ? markSnippet(cut(hit.snippet)) : "";
    blocks.push(
      section([url ? `**[${title}](${url})**` : `**${title}**`, snippet].filter(Boolean).join("\n")),
    );
    lines.push(`${title.replace(/\\/g, "")}${url ? ` ${url}` : ""}`);
  }
  if (result.total > result.hits.length)
    blocks.push(context(`${result.hits.length} of ${result.total} sections shown.`));
  return { text: `Docs for "${shown}": ${lines.join("; ")}`, blocks };
}

/** The snippet cut to one short passage around its first match. */
function cut(snippet: { text: string; matches: Array<[number, number]> }): {
  text: string;
  matches: Array<[number, number]>;
} {
  const text = snippet.text;
  if (text.length <= SNIPPET) return { text, matches: snippet.matches };
  const first = snippet.matches[0]?.[0] ?? 0;
  let start = Math.max(0, first - 40);
  const space = text.lastIndexOf(" ", start);
  if (start > 0 && space > start - 20) start = space + 1;
  const end = Math.min(text.length, start + SNIPPET);
  const prefix = start > 0 ? "…" : "";
  const suffix = end < text.length ? "…" : "";
  const shift = prefix.length - start;
  return {
    text: `${prefix}${text.slice(start, end)}${suffix}`,
    matches: snippet.matches
      .filter(([s, e]) => s >= start && e <= end)
      .map(([s, e]): [number, number] => [s + shift, e + shift]),
  };
}
