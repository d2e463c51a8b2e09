import type { Entity } from "../model/entity.ts";
import { escapeText, person, webUrl } from "../../message/reply.ts";
import type { ChatHandles, Field, Link } from "../../message/reply.ts";
import type { CatalogGraph } from "../graph/catalog-graph.ts";
import { kindOfRef } from "../graph/catalog-graph.ts";
import { kindLabel, kindName } from "../../text/kind-names.ts";

// Search says kinds the same way and may not import the catalog; the names live in src/text.
export { kindLabel, kindName };

/** The name part of a canonical ref, with its namespace when that is not "default". */
export function refName(ref: string): string {
  const colon = ref.indexOf(":");
  const rest = ref.slice(colon + 1);
  return rest.startsWith("default/") ? rest.slice("default/".length) : rest;
}

/** An entity's name as written, with its namespace when that is not "default". */
export function entityName(graph: CatalogGraph, ref: string): string {
  const entity = graph.get(ref);
  if (!entity) return refName(ref);
  return entity.metadata.namespace && entity.metadata.namespace !== "default"
    ? `${entity.metadata.namespace}/${entity.metadata.name}`
    : entity.metadata.name;
}

/** What to call an entity in a sentence: its title if it has one, else its name as written. */
export function displayName(graph: CatalogGraph, ref: string): string {
  const entity = graph.get(ref);
  if (!entity) return refName(ref);
  return (
    entity.metadata.title ??
    (entity.kind === "User" ? profileString(entity, "displayName") : undefined) ??
    entityName(graph, ref)
  );
}

/**
 * Markdown for one ref in a list: bold name, or the raw ref flagged when no entity answers to it. A User
 * with chat handles is a `person`, so each surface can show the handle it knows (a Slack mention).
 */
export function refMarkdown(graph: CatalogGraph, ref: string, withKind = false): string {
  const entity = graph.get(ref);
  if (!entity) return `\`${ref}\` _(unresolved)_`;
  const bold = `**${escapeText(displayName(graph, ref))}**`;
  const name = entity.kind === "User" ? person(bold, chatHandles(entity)) : bold;
  return withKind ? `${name} (${kindName(kindOfRef(ref))})` : name;
}

/** Plain text for one ref, for fallback text and button labels. */
export function refPlain(graph: CatalogGraph, ref: string): string {
  return graph.has(ref) ? displayName(graph, ref) : `${ref} (unresolved)`;
}

/**
 * Up to `limit` refs joined for a field value, with "and N more" so a long list stays readable. A list
 * that mixes kinds names each one's kind: the component ledger and the API ledger read alike otherwise.
 */
export function refList(graph: CatalogGraph, refs: string[], limit = 10): string {
  if (refs.length === 0) return "none";
  const mixed = new Set(refs.filter((ref) => graph.has(ref)).map(kindOfRef)).size > 1;
  const shown = refs.slice(0, limit).map((ref) => refMarkdown(graph, ref, mixed));
  const more = refs.length - shown.length;
  return more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
}

export function profileString(entity: Entity, key: string): string | undefined {
  const profile = entity.spec?.["profile"];
  if (profile && typeof profile === "object") {
    const value = (profile as Record<string, unknown>)[key];
    if (typeof value === "string" && value.length > 0) return value;
  }
  return undefined;
}

export function specString(entity: Entity, key: string): string | undefined {
  const value = entity.spec?.[key];
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function annotation(entity: Entity, key: string): string | undefined {
  const value = entity.metadata.annotations?.[key];
  return value && value.length > 0 ? value : undefined;
}

/** A User's handles on the chat platforms, from the annotations Backstage's user providers write. */
export function chatHandles(entity: Entity): ChatHandles {
  const handles: ChatHandles = {};
  const slack = annotation(entity, "slack.com/user-id");
  if (slack) handles.slack = slack;
  const teams = annotation(entity, "microsoft.com/email");
  if (teams) handles.teams = teams;
  return handles;
}

/**
 * How to reach a person besides chat, as markdown, one line. Chat handles are not here: they belong to
 * the person's name (`refMarkdown`), where each surface shows only its own.
 */
export function contactLine(entity: Entity): string {
  const parts: string[] = [];
  const email = profileString(entity, "email");
  if (email) parts.push(escapeText(email));
  const github = annotation(entity, "github.com/user-login");
  if (github) parts.push(`GitHub @${escapeText(github)}`);
  return parts.length > 0 ? parts.join(" · ") : "no contact details in the catalog";
}

const CHAT_LINK = /slack\.com|teams\.microsoft\.com|discord\.|mattermost/i;

/** Where a team talks: a Slack channel annotation, or metadata links that point at a chat. */
export function channelMarkdown(entity: Entity): string | undefined {
  const parts: string[] = [];
  const channel =
    annotation(entity, "slack.com/channel-id") ??
    annotation(entity, "slack.com/channel") ??
    annotation(entity, "slack.com/bot-notify");
  const chatLinks = (entity.metadata.links ?? []).filter(
    (link) => link.type === "chat" || link.icon === "chat" || CHAT_LINK.test(link.url),
  );
  // A link to the annotated channel says the same thing, more usefully: show the link alone.
  if (channel && !chatLinks.some((link) => link.url.includes(channel))) parts.push(`Slack \`${channel}\``);
  for (const link of chatLinks) parts.push(linkMarkdown({ title: link.title ?? link.url, url: link.url }));
  return parts.length > 0 ? parts.join(" · ") : undefined;
}

/** A web link as markdown; any other target (a `person:` link in a descriptor) is left as its title. */
export function linkMarkdown(link: Link): string {
  const url = webUrl(link.url);
  if (!url) return escapeText(link.title);
  // A parenthesis would end the link early and let the rest of the URL read as markdown.
  const href = new URL(url).href.replace(/\(/g, "%28").replace(/\)/g, "%29");
  return `[${escapeText(link.title)}](${href})`;
}

/** A summary longer than this is an essay: a field of it buries the answer around it. */
const SUMMARY_CHARS = 300;

/**
 * A description as one line of plain text (escape it before use), for a field in an answer about something
 * else. Backstage renders descriptions as markdown, so descriptors hold headings, bold and links; escaped they
 * showed as raw `**` and `[text](url)`. This keeps the first paragraph's words (a heading is a title, not a
 * summary, so it goes), and gives undefined when nothing is left or the paragraph is too long to be a summary:
 * the entity's own answer shows the description whole.
 */
export function summaryLine(description: string | undefined, max = SUMMARY_CHARS): string | undefined {
  if (typeof description !== "string") return undefined;
  // Only the first paragraph with words counts, and one past a few times the limit cannot shrink under it
  // (links and marks are short): cleaning more would cost time on every answer, and the mark patterns below
  // are quadratic on text full of unclosed marks, which a catalog file from anyone in the organisation may hold.
  for (const paragraph of description.replace(/\r\n?/g, "\n").split(/\n[ \t]*\n/)) {
    if (paragraph.trim() === "") continue;
    if (paragraph.length > max * RAW_SHARE) return undefined;
    const line = plainParagraph(paragraph);
    if (line.length > 0) return line.length <= max ? line : undefined;
  }
  return undefined;
}

/** How much longer than the summary limit a paragraph's raw markdown may be. */
const RAW_SHARE = 8;

/** One markdown paragraph as plain words: headings dropped, list and quote marks, links, code and emphasis undone. */
function plainParagraph(paragraph: string): string {
  return (
    paragraph
      .split("\n")
      .filter((line) => !/^\s{0,3}#{1,6}(\s|$)/.test(line))
      .map((line) => line.replace(/^\s*(?:>\s?|[-*+]\s+|\d+[.)]\s+)/, ""))
      .join(" ")
      .replace(/!\[[^\]]*\]\([^)]*\)/g, "")
      .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")
      .replace(/<[^>]+>/g, "")
      .replace(/`([^`]+)`/g, "$1")
      .replace(/(\*\*|__)(\S(?:.*?\S)?)\1/g, "$2")
      // Single marks only where they stand at a word's edges: snake_case names keep their underscores.
      .replace(/(^|[\s(])([*_])(\S(?:.*?\S)?)\2(?=$|[\s).,;:!?])/g, "$1$3")
      .replace(/\s+/g, " ")
      .trim()
  );
}

const SPEC_DETAILS_SHOWN = 8;
const SPEC_VALUE_CHARS = 200;

/**
 * A spec's plain values (text, numbers, yes/no, lists of those) as fields, for kinds without a layout of
 * their own: an installation's own kinds, whose meaning Callboard cannot know, still say what they hold.
 */
export function specDetails(entity: Entity, skip: ReadonlySet<string>): Field[] {
  const fields: Field[] = [];
  for (const [key, value] of Object.entries(entity.spec ?? {})) {
    if (fields.length >= SPEC_DETAILS_SHOWN) break;
    if (skip.has(key)) continue;
    const items = Array.isArray(value) ? value : [value];
    if (items.length === 0 || !items.every((v) => ["string", "number", "boolean"].includes(typeof v)))
      continue;
    const text = items.map(String).join(", ");
    const cut = text.length > SPEC_VALUE_CHARS ? `${text.slice(0, SPEC_VALUE_CHARS - 1)}…` : text;
    fields.push({ label: humanise(key), value: escapeText(cut) });
  }
  return fields;
}

/** `allowedTools` → "Allowed tools". */
function humanise(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[-_]+/g, " ")
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
