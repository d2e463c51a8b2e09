/**
 * A site's navigation as mkdocs builds it: from `nav` (titles, bare files, sections, external links, the
 * monorepo's included sub-sites), or, when a (sub-)site has none, from its folders: index first, then files
 * and folders by name, folder titles from their names. Page titles come last (nav title, else the page's).
 */
import { posix } from "node:path";
import { pagePathOf } from "../links.ts";
import type { BuildNote, NavItem } from "../model.ts";
import type { NavEntry } from "./mkdocs-config.ts";
import { note, type ScannedSite, type SitePart, type SourceFile } from "./site-sources.ts";

export interface SiteNav {
  items: NavItem[];
  /** Nav titles given for pages, by site path of the source file. */
  titles: Map<string, string>;
}

/** mkdocs' title from a file or folder name: dashes and underscores to spaces, capitalised when all lower-case. */
export function titleFromName(name: string): string {
  const words = name.replace(/\.(md|markdown)$/i, "").replace(/[-_]/g, " ");
  return words.toLowerCase() === words ? words.charAt(0).toUpperCase() + words.slice(1) : words;
}

export function buildNav(site: ScannedSite, notes: BuildNote[]): SiteNav {
  const pages = new Map(site.files.filter((f) => f.kind === "page").map((f) => [f.path, f]));
  const titles = new Map<string, string>();
  const root = site.parts[0]!;
  const items = navOfPart(root, site, pages, titles, notes);
  return { items, titles };
}

function navOfPart(
  part: SitePart,
  site: ScannedSite,
  pages: Map<string, SourceFile>,
  titles: Map<string, string>,
  notes: BuildNote[],
): NavItem[] {
  if (!part.config.nav)
    return folderNav(site.files.filter((f) => f.kind === "page" && f.part === part.prefix));
  const convert = (entries: NavEntry[]): NavItem[] => {
    const items: NavItem[] = [];
    for (const entry of entries) {
      switch (entry.type) {
        case "link":
          items.push({ title: entry.title ?? entry.url, url: entry.url });
          break;
        case "section":
          items.push({ title: entry.title, children: convert(entry.children) });
          break;
        case "include": {
          for (const sub of site.includes.get(entry) ?? []) {
            const children = navOfPart(sub, site, pages, titles, notes);
            items.push({ title: entry.title ?? sub.config.siteName, children });
          }
          break;
        }
        case "page": {
          const local = posix.normalize(entry.file.replace(/\\/g, "/"));
          if (local === ".." || local.startsWith("../") || posix.isAbsolute(entry.file)) {
            notes.push(
              note(
                "warning",
                `nav entry "${entry.file}" leaves the docs folder; left out`,
                part.configFile,
                entry.line,
              ),
            );
            break;
          }
          const path = part.prefix ? `${part.prefix}/${local}` : local;
          const file = pages.get(path);
          if (!file) {
            notes.push(
              note(
                "warning",
                `nav entry "${entry.file}" names a page that is not in ${part.docsDir}/; left out`,
                part.configFile,
                entry.line,
              ),
            );
            break;
          }
          if (entry.title !== undefined) titles.set(path, entry.title);
          items.push({ title: entry.title ?? "", path: pagePathOf(path) });
          break;
        }
      }
    }
    return items;
  };
  return convert(part.config.nav);
}

interface Folder {
  files: SourceFile[];
  folders: Map<string, Folder>;
}

function folderNav(files: SourceFile[]): NavItem[] {
  const top: Folder = { files: [], folders: new Map() };
  for (const file of files) {
    const dirs = file.local.split("/").slice(0, -1);
    let folder = top;
    for (const dir of dirs) {
      let next = folder.folders.get(dir);
      if (!next) {
        next = { files: [], folders: new Map() };
        folder.folders.set(dir, next);
      }
      folder = next;
    }
    folder.files.push(file);
  }
  const render = (folder: Folder): NavItem[] => {
    const isIndex = (f: SourceFile) => /^(index|readme)\.(md|markdown)$/i.test(posix.basename(f.local));
    const named: Array<{ name: string; item: NavItem }> = [];
    const index = folder.files.filter(isIndex).slice(0, 1);
    for (const file of folder.files) {
      if (!isIndex(file))
        named.push({ name: posix.basename(file.local), item: { title: "", path: pagePathOf(file.path) } });
    }
    for (const [name, sub] of folder.folders)
      named.push({ name, item: { title: titleFromName(name), children: render(sub) } });
    named.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return [
      ...index.map((file) => ({ title: "", path: pagePathOf(file.path) })),
      ...named.map((n) => n.item),
    ];
  };
  return render(top);
}

/** Fill in page titles: nav items that gave none take the page's own. */
export function titleNav(items: NavItem[], pageTitle: (path: string) => string | undefined): NavItem[] {
  return items.map((item) => {
    if (item.children) return { ...item, children: titleNav(item.children, pageTitle) };
    if (item.path !== undefined && item.title === "")
      return { ...item, title: pageTitle(item.path) ?? item.path };
    return item;
  });
}
