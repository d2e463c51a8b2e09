/**
 * Builds one TechDocs site into the model the pages are served from. Incremental: a file whose size and
 * modification time are unchanged keeps its content hash without being read; a site whose sources hash the
 * same is not rebuilt; when only page contents changed, only those pages are rendered again (links between
 * pages depend on which files exist, not on their contents). New files, removed files or a changed config
 * render the site again, which is still only that site.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { extname, posix } from "node:path";
import { pagePathOf, type LinkTargets } from "../links.ts";
import { MarkdownRenderer, type RenderEnv } from "../markdown/markdown-renderer.ts";
import {
  ASSET_TYPES,
  type BuildNote,
  type BuiltAsset,
  type BuiltPage,
  type BuiltSite,
  type SiteKey,
} from "../model.ts";
import { applyPolicyToTokens, sanitizePage, type PageLinks } from "../page-html.ts";
import { buildNav, titleFromName, titleNav } from "./site-nav.ts";
import { note, scanSite, type ScannedSite, type SitePart, type SourceFile } from "./site-sources.ts";

export interface SiteInput {
  entityRef: string;
  key: SiteKey;
  /** The folder holding mkdocs.yml (resolved and confined by the caller). */
  root: string;
  owner?: string;
  entityTitle: string;
}

/** What was true of a source file when it was last hashed. */
export interface FileStamp {
  real: string;
  size: number;
  mtimeMs: number;
  hash: string;
}

/** A built site with what the next build needs to skip work; this is what is persisted. */
export interface SiteRecord {
  site: BuiltSite;
  stamps: Record<string, FileStamp>;
  configHash: string;
  /** Notes of each page's last render, so a page that is not rendered again keeps its notes. */
  pageNotes: Record<string, BuildNote[]>;
  /** Notes about the site as a whole (config, files, nav). */
  siteNotes: BuildNote[];
}

export interface BuildResult {
  record: SiteRecord;
  /** False when nothing at all changed (the previous record is returned). */
  changed: boolean;
  /** Page paths rendered again, added or removed. */
  pages: string[];
  /** Bytes of assets whose content is new, by content hash. */
  newAssets: Map<string, Buffer>;
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

export class SiteBuilder {
  private constructor(private readonly renderer: MarkdownRenderer) {}

  static async create(): Promise<SiteBuilder> {
    return new SiteBuilder(await MarkdownRenderer.create());
  }

  async build(input: SiteInput, previous?: SiteRecord): Promise<BuildResult> {
    const scanned = await scanSite(input.root);
    const configHash = sha256(
      scanned.parts.map((p) => `${p.prefix}\0${p.configFile}\0${p.configText}`).join("\0"),
    );
    const contents = new Map<string, Buffer>();
    const stamps: Record<string, FileStamp> = {};
    for (const file of scanned.files) {
      const before = previous?.stamps[file.path];
      if (
        before &&
        before.real === file.real &&
        before.size === file.size &&
        before.mtimeMs === file.mtimeMs
      ) {
        stamps[file.path] = before;
        continue;
      }
      const body = await readFile(file.real);
      contents.set(file.path, body);
      stamps[file.path] = { real: file.real, size: file.size, mtimeMs: file.mtimeMs, hash: sha256(body) };
    }
    const sourceHash = sha256(
      [
        configHash,
        ...Object.keys(stamps)
          .sort()
          .map((path) => `${path}\0${stamps[path]!.hash}`),
      ].join("\n"),
    );
    const meta = { owner: input.owner, entityTitle: input.entityTitle, entityRef: input.entityRef };
    if (previous && previous.site.sourceHash === sourceHash) {
      const same =
        previous.site.owner === meta.owner &&
        previous.site.entityTitle === meta.entityTitle &&
        previous.site.entityRef === meta.entityRef;
      // Stamps may differ (a file touched, its content the same): keep the new ones so it is not read again.
      const moved = Object.keys(stamps).some((path) => stamps[path] !== previous.stamps[path]);
      const record = moved ? { ...previous, stamps } : previous;
      if (same) return { record, changed: false, pages: [], newAssets: new Map() };
      const site = { ...previous.site, ...withOwner(meta) };
      return { record: { ...record, site }, changed: true, pages: [], newAssets: new Map() };
    }
    const structural =
      !previous ||
      previous.configHash !== configHash ||
      !samePaths(Object.keys(previous.stamps), Object.keys(stamps));
    return this.render(input, scanned, { stamps, contents, configHash, sourceHash, structural, previous });
  }

  private async render(
    input: SiteInput,
    scanned: ScannedSite,
    state: {
      stamps: Record<string, FileStamp>;
      contents: Map<string, Buffer>;
      configHash: string;
      sourceHash: string;
      structural: boolean;
      previous: SiteRecord | undefined;
    },
  ): Promise<BuildResult> {
    const { stamps, contents, previous } = state;
    const siteNotes: BuildNote[] = [...scanned.notes];
    const root = scanned.parts[0]!;
    const ignored = scanned.parts.flatMap((p) => p.config.ignored.map((key) => key));
    if (ignored.length > 0) {
      siteNotes.push(
        note(
          "info",
          `settings Callboard does not use were ignored: ${[...new Set(ignored)].join(", ")}`,
          root.configFile,
        ),
      );
    }
    const nav = buildNav(scanned, siteNotes);
    const parts = new Map(scanned.parts.map((p) => [p.prefix, p]));
    // Which file serves each page path: the first wins (a.md and a/index.md both want a/).
    const pageFiles = new Map<string, SourceFile>();
    for (const file of scanned.files) {
      if (file.kind !== "page") continue;
      const path = pagePathOf(file.path);
      const taken = pageFiles.get(path);
      if (taken) {
        siteNotes.push(
          note(
            "warning",
            `${file.path} and ${taken.path} would both be served at ${path || "the home page"}; ${file.path} is left out`,
          ),
        );
        continue;
      }
      pageFiles.set(path, file);
    }
    const targets: LinkTargets = {
      pages: new Map([...pageFiles].map(([path, file]) => [file.path, path])),
      assets: new Set(scanned.files.filter((f) => f.kind === "asset").map((f) => f.path)),
    };
    const pages: Record<string, BuiltPage> = {};
    const pageNotes: Record<string, BuildNote[]> = {};
    const rendered: string[] = [];
    for (const [path, file] of pageFiles) {
      const before = previous?.site.pages[path];
      if (
        !state.structural &&
        before &&
        before.sourcePath === file.path &&
        previous!.stamps[file.path]?.hash === stamps[file.path]!.hash
      ) {
        pages[path] = before;
        pageNotes[path] = previous!.pageNotes[path] ?? [];
        continue;
      }
      const read = contents.get(file.path);
      const body = read ?? (await readFile(file.real));
      // Bytes read (and hashed) by this build keep their stamp's hash; bytes read just now are hashed here.
      const hash = read ? stamps[file.path]!.hash : sha256(body);
      const notes: BuildNote[] = [];
      pages[path] = this.renderPage(file, path, body, hash, {
        targets,
        navTitle: nav.titles.get(file.path),
        part: parts.get(file.part)!,
        notes,
      });
      pageNotes[path] = notes;
      rendered.push(path);
    }
    const removed = previous ? Object.keys(previous.site.pages).filter((path) => !pages[path]) : [];
    const assets: Record<string, BuiltAsset> = {};
    const newAssets = new Map<string, Buffer>();
    for (const file of scanned.files) {
      if (file.kind !== "asset") continue;
      const stamp = stamps[file.path]!;
      assets[file.path] = {
        path: file.path,
        contentType: ASSET_TYPES[extname(file.path).toLowerCase()]!,
        size: stamp.size,
        hash: stamp.hash,
      };
      const body = contents.get(file.path);
      if (body && previous?.site.assets[file.path]?.hash !== stamp.hash) newAssets.set(stamp.hash, body);
    }
    if (!pages[""])
      siteNotes.push(note("warning", `there is no ${root.docsDir}/index.md: the docs have no home page`));
    const site: BuiltSite = {
      entityRef: input.entityRef,
      key: input.key,
      siteName: root.config.siteName,
      ...(root.config.siteDescription ? { description: root.config.siteDescription } : {}),
      ...(root.config.repoUrl ? { repoUrl: root.config.repoUrl } : {}),
      ...withOwner({ owner: input.owner, entityTitle: input.entityTitle }),
      nav: titleNav(nav.items, (path) => pages[path]?.title),
      pages,
      assets,
      notes: [...siteNotes, ...Object.values(pageNotes).flat()],
      sourceHash: state.sourceHash,
      builtAt: new Date().toISOString(),
    };
    return {
      record: { site, stamps, configHash: state.configHash, pageNotes, siteNotes },
      changed: true,
      pages: [...rendered, ...removed],
      newAssets,
    };
  }

  private renderPage(
    file: SourceFile,
    path: string,
    body: Buffer,
    hash: string,
    ctx: { targets: LinkTargets; navTitle: string | undefined; part: SitePart; notes: BuildNote[] },
  ): BuiltPage {
    const where = posix.join(ctx.part.docsDir, file.local);
    const source = body.toString("utf8").replace(/^\uFEFF/, "");
    const env: RenderEnv = { notes: [] };
    const seen = new Set<string>();
    const linkNotes: string[] = [];
    const links: PageLinks = {
      source: file.path,
      page: path,
      targets: ctx.targets,
      note: (message) => {
        // One note per distinct problem on a page: a page full of the same broken link says it once.
        if (seen.has(message) || seen.size >= 20) return;
        seen.add(message);
        linkNotes.push(message);
      },
    };
    // Pages without HTML of their author's get the sanitiser's policy on their tokens (page-html.ts); the
    // others, and any the token policy is not sure of, go through the sanitiser.
    const out = this.renderer.render(source, env, (tokens, rules) =>
      applyPolicyToTokens(tokens, rules, links),
    );
    const html = out.safe ? out.html : sanitizePage(out.html, links);
    for (const message of [...env.notes, ...linkNotes]) ctx.notes.push(note("warning", message, where));
    const title = ctx.navTitle ?? out.h1 ?? defaultTitle(file, path);
    const sections = out.sections.map((s) => (s.anchor === "" ? { ...s, heading: title } : s));
    const page: BuiltPage = {
      path,
      title,
      html,
      toc: out.toc,
      sections,
      sourcePath: file.path,
      hash,
      summary: out.summary,
    };
    const editUrl = editUrlOf(ctx.part, file.local);
    if (editUrl) page.editUrl = editUrl;
    return page;
  }
}

function withOwner(meta: { owner: string | undefined; entityTitle: string }): {
  owner?: string;
  entityTitle: string;
} {
  return meta.owner
    ? { owner: meta.owner, entityTitle: meta.entityTitle }
    : { entityTitle: meta.entityTitle };
}

function samePaths(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((path) => set.has(path));
}

function defaultTitle(file: SourceFile, path: string): string {
  if (path === "") return "Home";
  const base = posix.basename(file.local);
  if (/^(index|readme)\./i.test(base)) return titleFromName(posix.basename(posix.dirname(file.path)));
  return titleFromName(base);
}

/**
 * mkdocs' edit link: `edit_uri` joined to `repo_url` (an absolute `edit_uri` stands alone); for GitHub and
 * GitLab without one, mkdocs' default `edit/master/docs/`. An empty `edit_uri` turns the link off.
 */
export function editUrlOf(part: SitePart, local: string): string | undefined {
  const { repoUrl, editUri } = part.config;
  let base: string | undefined;
  if (editUri !== undefined) {
    if (editUri.trim() === "") return undefined;
    if (/^https?:\/\//i.test(editUri)) base = editUri;
    else if (repoUrl) base = new URL(editUri, repoUrl.endsWith("/") ? repoUrl : `${repoUrl}/`).toString();
  } else if (repoUrl && /^https?:\/\/(www\.)?(github\.com|gitlab\.com)\//i.test(repoUrl)) {
    base = new URL("edit/master/docs/", repoUrl.endsWith("/") ? repoUrl : `${repoUrl}/`).toString();
  }
  if (!base) return undefined;
  try {
    return new URL(
      local.split("/").map(encodeURIComponent).join("/"),
      base.endsWith("/") ? base : `${base}/`,
    ).toString();
  } catch {
    return undefined;
  }
}
