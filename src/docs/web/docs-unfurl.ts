/**
 * A pasted docs link as a preview (Slack chat.unfurl, Teams queryLink): the page's title, the section its
 * `#anchor` names, and the first paragraph of that section (of the page when there is no anchor).
 */
import { context, header, reply, section, escapeText, type Reply } from "../../message/reply.ts";
import type { DocsLibrary } from "../model.ts";
import { checkPagePath, checkSiteKey } from "./route-input.ts";

/** Characters of the paragraph a preview shows. */
const PREVIEW_CHARS = 300;

/** The first paragraph-sized part of `text`: up to its first sentence end past 80 characters, at most 300. */
export function firstParagraph(text: string): string {
  const clean = text.replace(/\s+/g, " ").trim();
  if (clean.length <= PREVIEW_CHARS) return clean;
  const cut = clean.slice(0, PREVIEW_CHARS);
  const end = cut.lastIndexOf(". ");
  return end > 80 ? cut.slice(0, end + 1) : `${cut.replace(/\s+\S*$/, "")}…`;
}

/** The preview for `url` when it is a page of a docs site on this server; undefined otherwise. */
export function docsLinkPreview(library: DocsLibrary, base: URL, url: URL): Reply | undefined {
  if (url.origin !== base.origin) return undefined;
  const prefix = `${base.pathname.replace(/\/+$/, "")}/docs/`;
  if (!url.pathname.startsWith(prefix)) return undefined;
  const parts = url.pathname.slice(prefix.length).split("/");
  if (parts.length < 3) return undefined;
  let decoded: string[];
  try {
    decoded = parts.map((p) => decodeURIComponent(p));
  } catch {
    return undefined;
  }
  const [namespace, kind, name, ...rest] = decoded as [string, string, string, ...string[]];
  const key = checkSiteKey({ namespace, kind, name });
  const path = checkPagePath(rest.join("/"));
  if (!key.ok || !path.ok) return undefined;
  const borrowed = library.getBorrowed(key.value);
  const site = library.getSite(key.value);
  if (!site) return undefined;
  const page = library.getPage(site.key, path.value === "" && borrowed ? borrowed.path : path.value);
  if (!page || !Object.hasOwn(site.pages, page.path)) return undefined;
  let anchor = "";
  try {
    anchor = decodeURIComponent(url.hash.slice(1, 300));
  } catch {
    anchor = "";
  }
  const named = anchor ? page.sections.find((s) => s.anchor === anchor) : undefined;
  const paragraph = firstParagraph(named?.text || page.summary || page.sections[0]?.text || "");
  const where = named ? `${page.title} › ${named.heading}` : page.title;
  return reply(
    `${where} (${site.siteName} docs)${paragraph ? `: ${paragraph}` : ""}`,
    header(page.title),
    ...(named ? [section(`**${escapeText(named.heading)}**`)] : []),
    ...(paragraph ? [section(escapeText(paragraph))] : []),
    context(`${escapeText(site.siteName)} docs · ${escapeText(site.entityRef)}`),
  );
}
