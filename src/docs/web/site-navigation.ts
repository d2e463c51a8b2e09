/**
 * What a page's layout shows around its content, worked out from the site's navigation: the nav tree with the
 * current page marked and its sections open, the breadcrumbs (the sections leading to the page), and the
 * previous and next pages in reading order (nav order, then the pages the nav does not name, in site order).
 */
import type { BuiltSite, NavItem } from "../model.ts";

export interface NavEntry {
  title: string;
  /** A page of the site (served path) or an external URL. */
  href?: string;
  external: boolean;
  current: boolean;
  /** A section holding the current page: shown open. */
  open: boolean;
  children: NavEntry[];
}

export interface Crumb {
  title: string;
  href?: string;
}

export interface Neighbour {
  title: string;
  path: string;
}

export interface PagePlace {
  nav: NavEntry[];
  /** From the site's home to the page's section (the page itself is not in it). */
  breadcrumbs: Crumb[];
  previous?: Neighbour;
  next?: Neighbour;
}

/** External nav links a page may carry (the builder keeps only these; a hand-made model may not). */
const EXTERNAL = /^(https?:|mailto:)/i;

/** Nav depth walked; the builder cuts deeper nav with a note, this keeps a hand-made model from recursing far. */
const MAX_DEPTH = 12;

/** The nav a site has, or, without one, its pages in site order (the builder's folder order). */
export function effectiveNav(site: BuiltSite): NavItem[] {
  if (site.nav.length > 0) return site.nav;
  return Object.values(site.pages).map((page) => ({ title: page.title, path: page.path }));
}

/** Pages in reading order: as the nav lists them, then the rest in site order; each once. */
export function readingOrder(site: BuiltSite): Neighbour[] {
  const seen = new Set<string>();
  const order: Neighbour[] = [];
  const add = (path: string, title: string) => {
    if (seen.has(path) || !Object.hasOwn(site.pages, path)) return;
    seen.add(path);
    order.push({ path, title });
  };
  const walk = (items: NavItem[], depth: number) => {
    if (depth > MAX_DEPTH) return;
    for (const item of items) {
      if (item.path !== undefined) add(item.path, item.title);
      if (item.children) walk(item.children, depth + 1);
    }
  };
  walk(effectiveNav(site), 0);
  for (const page of Object.values(site.pages)) add(page.path, page.title);
  return order;
}

/** Where `pagePath` sits in its site; `href` builds a page's URL from its served path. */
export function placeOf(site: BuiltSite, pagePath: string, href: (path: string) => string): PagePlace {
  let trail: Crumb[] = [];
  const build = (
    items: NavItem[],
    parents: Crumb[],
    depth: number,
  ): { entries: NavEntry[]; holds: boolean } => {
    let holds = false;
    const entries: NavEntry[] = [];
    if (depth > MAX_DEPTH) return { entries, holds };
    for (const item of items) {
      const current = item.path !== undefined && item.path === pagePath;
      if (current) {
        holds = true;
        trail = parents;
      }
      const here: Crumb = {
        title: item.title,
        ...(item.path !== undefined ? { href: href(item.path) } : {}),
      };
      const inner = item.children ? build(item.children, [...parents, here], depth + 1) : undefined;
      if (inner?.holds) holds = true;
      entries.push({
        title: item.title,
        ...(item.url && EXTERNAL.test(item.url)
          ? { href: item.url }
          : item.path !== undefined
            ? { href: href(item.path) }
            : {}),
        external: Boolean(item.url),
        current,
        open: Boolean(inner?.holds),
        children: inner?.entries ?? [],
      });
    }
    return { entries, holds };
  };
  const { entries } = build(effectiveNav(site), [], 0);
  const home: Crumb = { title: site.siteName, href: href("") };
  const breadcrumbs = pagePath === "" ? [] : [home, ...trail.filter((c) => c.href !== home.href)];
  const order = readingOrder(site);
  const at = order.findIndex((n) => n.path === pagePath);
  return {
    nav: entries,
    breadcrumbs,
    ...(at > 0 ? { previous: order[at - 1]! } : {}),
    ...(at >= 0 && at < order.length - 1 ? { next: order[at + 1]! } : {}),
  };
}
