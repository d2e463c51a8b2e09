/**
 * mkdocs.yml / mkdocs.yaml as TechDocs reads it: site_name, site_description, docs_dir, nav, repo_url,
 * edit_uri, and the monorepo plugin's `!include` of sub-sites. Parsed with the `yaml` package, keeping line
 * numbers so a problem names the file and line. Python tags (`!!python/name:`, `!ENV`) are tolerated as
 * mkdocs configs use them; settings Callboard does not use are listed once in a note.
 */
import { isAbsolute, posix } from "node:path";
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
  type Pair,
  type ScalarTag,
} from "yaml";
import { LIMITS } from "../model.ts";

export type NavEntry =
  | { type: "page"; title?: string; file: string; line: number }
  | { type: "link"; title?: string; url: string; line: number }
  | { type: "section"; title: string; children: NavEntry[]; line: number }
  | { type: "include"; title?: string; pattern: string; glob: boolean; line: number };

export interface MkdocsConfig {
  siteName: string;
  siteDescription?: string;
  /** Relative to the folder of mkdocs.yml, normalised, never absolute nor climbing out. */
  docsDir: string;
  nav?: NavEntry[];
  repoUrl?: string;
  editUri?: string;
  /** Settings and plugins that were ignored, for the one note a site gets. */
  ignored: string[];
}

/** A config that cannot be used: the message names the file, the line and what to change. */
export class MkdocsConfigError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly detail: string,
  ) {
    super(`${file}${line === undefined ? "" : `, line ${line}`}: ${detail}`);
    this.name = "MkdocsConfigError";
  }
}

/** The `!include path` tag; also written as the plain string `'!include path'` (monorepo plugin docs). */
class IncludeTag {
  constructor(readonly path: string) {}
}

const includeTag: ScalarTag = {
  tag: "!include",
  resolve: (value: string) => new IncludeTag(value),
  identify: (value: unknown) => value instanceof IncludeTag,
};

/** Settings that change nothing here but are common in TechDocs configs: no note for them. */
const QUIET = new Set(["site_url", "site_author", "copyright", "use_directory_urls", "repo_name"]);
const USED = new Set(["site_name", "site_description", "docs_dir", "nav", "repo_url", "edit_uri", "plugins"]);
/** Plugins whose behaviour Callboard provides (techdocs-core bundles search and monorepo). */
const KNOWN_PLUGINS = new Set(["techdocs-core", "search", "monorepo"]);
const INCLUDE_STRING = /^([!*])include\s+(\S.*)$/;
const EXTERNAL = /^(https?:|mailto:)/i;

export function parseMkdocsConfig(
  text: string,
  file: string,
  options: { allowIncludes: boolean },
): MkdocsConfig {
  if (Buffer.byteLength(text) > LIMITS.configBytes) {
    throw new MkdocsConfigError(
      file,
      undefined,
      `is larger than ${LIMITS.configBytes / 1024} KiB; TechDocs configs are small`,
    );
  }
  const lines = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, {
      lineCounter: lines,
      customTags: [includeTag],
      prettyErrors: false,
      uniqueKeys: false,
    });
  } catch (error) {
    throw new MkdocsConfigError(file, undefined, `is not valid YAML: ${(error as Error).message}`);
  }
  const lineOf = (node: Node | null | undefined) =>
    node?.range ? lines.linePos(node.range[0]).line : undefined;
  const firstError = doc.errors[0];
  if (firstError) {
    const message = firstError.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    throw new MkdocsConfigError(file, lines.linePos(firstError.pos[0]).line, `is not valid YAML: ${message}`);
  }
  const root = doc.contents;
  if (!isMap(root)) {
    throw new MkdocsConfigError(
      file,
      lineOf(root) ?? 1,
      "should be a mapping with at least `site_name: My docs`",
    );
  }
  const pairs = new Map<string, Pair>();
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key !== undefined) pairs.set(key, pair);
  }
  const text_ = (key: string, required = false): string | undefined => {
    const pair = pairs.get(key);
    if (!pair || pair.value === null || (isScalar(pair.value) && pair.value.value === null)) {
      if (required)
        throw new MkdocsConfigError(file, 1, `\`${key}\` is required, e.g. \`${key}: Payments API\``);
      return undefined;
    }
    const value = pair.value as Node;
    if (!isScalar(value) || (typeof value.value !== "string" && typeof value.value !== "number")) {
      throw new MkdocsConfigError(file, lineOf(value), `\`${key}\` should be text`);
    }
    return String(value.value);
  };
  const siteName = text_("site_name", true)!.trim();
  if (siteName === "")
    throw new MkdocsConfigError(file, lineOf(pairs.get("site_name")?.value as Node), "`site_name` is empty");
  const docsDirRaw = text_("docs_dir") ?? "docs";
  const docsDir = posix.normalize(docsDirRaw.replace(/\\/g, "/")).replace(/\/$/, "");
  if (isAbsolute(docsDirRaw) || docsDir === ".." || docsDir.startsWith("../") || docsDirRaw.includes("\0")) {
    throw new MkdocsConfigError(
      file,
      lineOf(pairs.get("docs_dir")?.value as Node),
      `\`docs_dir: ${docsDirRaw}\` leaves the folder of ${posix.basename(file)}; name a folder inside it, e.g. \`docs_dir: docs\``,
    );
  }
  const config: MkdocsConfig = { siteName, docsDir: docsDir === "" ? "." : docsDir, ignored: [] };
  const description = text_("site_description");
  if (description) config.siteDescription = description;
  const repoUrl = text_("repo_url");
  if (repoUrl && /^https?:\/\//i.test(repoUrl)) config.repoUrl = repoUrl;
  const editUri = text_("edit_uri");
  if (editUri !== undefined) config.editUri = editUri;
  const navPair = pairs.get("nav");
  if (navPair && navPair.value !== null) {
    const navNode = navPair.value as Node;
    if (!isSeq(navNode))
      throw new MkdocsConfigError(file, lineOf(navNode), "`nav` should be a list of pages and sections");
    const counter = { entries: 0 };
    config.nav = parseNav(navNode.items as Node[], 1, {
      file,
      lineOf,
      allowIncludes: options.allowIncludes,
      counter,
    });
  }
  for (const key of pairs.keys()) {
    if (!USED.has(key) && !QUIET.has(key)) config.ignored.push(key);
  }
  const plugins = pairs.get("plugins")?.value as Node | undefined;
  if (plugins && isSeq(plugins)) {
    for (const item of plugins.items as Node[]) {
      const name = isScalar(item)
        ? String(item.value)
        : isMap(item) && isScalar(item.items[0]?.key)
          ? String(item.items[0].key.value)
          : undefined;
      if (name && !KNOWN_PLUGINS.has(name)) config.ignored.push(`plugins: ${name}`);
    }
  }
  return config;
}

interface NavContext {
  file: string;
  lineOf(node: Node | null | undefined): number | undefined;
  allowIncludes: boolean;
  counter: { entries: number };
}

function parseNav(items: Node[], depth: number, ctx: NavContext): NavEntry[] {
  if (depth > LIMITS.navDepth) {
    throw new MkdocsConfigError(
      ctx.file,
      ctx.lineOf(items[0]),
      `\`nav\` is nested deeper than ${LIMITS.navDepth} levels`,
    );
  }
  const entries: NavEntry[] = [];
  for (const item of items) {
    ctx.counter.entries++;
    if (ctx.counter.entries > LIMITS.filesPerSite) {
      throw new MkdocsConfigError(
        ctx.file,
        ctx.lineOf(item),
        `\`nav\` has more than ${LIMITS.filesPerSite} entries`,
      );
    }
    const line = ctx.lineOf(item) ?? 1;
    if (isScalar(item)) {
      entries.push(leaf(undefined, item.value, line, ctx));
      continue;
    }
    if (isMap(item) && item.items.length === 1) {
      const pair = item.items[0]!;
      const title = isScalar(pair.key) ? String(pair.key.value) : undefined;
      const value = pair.value as Node | null;
      if (title !== undefined && value && isSeq(value)) {
        entries.push({
          type: "section",
          title,
          children: parseNav(value.items as Node[], depth + 1, ctx),
          line,
        });
        continue;
      }
      if (title !== undefined && value && isScalar(value)) {
        entries.push(leaf(title, value.value, line, ctx));
        continue;
      }
    }
    throw new MkdocsConfigError(
      ctx.file,
      line,
      "a `nav` entry should be `Title: page.md`, `page.md`, `Title: https://...` or `Section: [ ... ]`",
    );
  }
  return entries;
}

function leaf(title: string | undefined, value: unknown, line: number, ctx: NavContext): NavEntry {
  const withTitle = <T extends object>(entry: T) => (title === undefined ? entry : { ...entry, title });
  const include = value instanceof IncludeTag ? { glob: false, path: value.path } : includeString(value);
  if (include) {
    if (!ctx.allowIncludes) {
      throw new MkdocsConfigError(
        ctx.file,
        line,
        "`!include` is only allowed in the root mkdocs.yml (monorepo plugin rule); remove it here",
      );
    }
    return withTitle({ type: "include" as const, pattern: include.path.trim(), glob: include.glob, line });
  }
  if (typeof value !== "string" || value.trim() === "") {
    throw new MkdocsConfigError(ctx.file, line, "a `nav` entry names no page: write `Title: page.md`");
  }
  const target = value.trim();
  if (EXTERNAL.test(target)) return withTitle({ type: "link" as const, url: target, line });
  return withTitle({ type: "page" as const, file: target, line });
}

function includeString(value: unknown): { glob: boolean; path: string } | undefined {
  if (typeof value !== "string") return undefined;
  const match = INCLUDE_STRING.exec(value.trim());
  return match ? { glob: match[1] === "*", path: match[2]! } : undefined;
}
