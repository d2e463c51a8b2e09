/**
 * The platform-neutral reply: what every command answers with. Renderers turn it into
 * Slack Block Kit, Teams Adaptive Cards or terminal text, and enforce each platform's limits.
 *
 * Text inside blocks uses a small markdown subset that every surface can show:
 * `**bold**`, `_italic_`, `` `code` `` and `[title](https://url)`, plus one element of its own: a person,
 * written as a link to `person:?slack=U…&teams=…` (see `person`). Nothing else is interpreted.
 */
import type { Form } from "./form.ts";

export interface Field {
  label: string;
  value: string;
}

export interface Link {
  title: string;
  url: string;
}

/**
 * A button. Pressing it runs `command` through the router as if the person had typed it,
 * so a button needs no handler of its own. A button with `url` only opens the link;
 * one with `form` opens that form.
 */
export interface Action {
  label: string;
  command?: string;
  url?: string;
  form?: FormButton;
  /** Shows the rest of an answer a renderer had to cut ("Show more"); set by the chat core only. */
  continuation?: string;
  style?: "primary" | "danger";
}

/** Which form a button opens: a registered form (`id`, opened with `args`), or a session under way. */
export interface FormButton {
  id: string;
  /** What the form's definition gets as the command's arguments when it builds the form. */
  args?: string;
  /** A form session the chat core started already (set by the core). */
  session?: string;
}

export type Block =
  | { type: "header"; text: string }
  | { type: "section"; text?: string; fields?: Field[] }
  | { type: "context"; text: string }
  | { type: "links"; links: Link[] }
  | { type: "actions"; actions: Action[] }
  | { type: "divider" };

export interface Reply {
  /** Plain-text summary: notifications, screen readers, and surfaces that show no blocks. */
  text: string;
  blocks: Block[];
  /** Shown only to the person who asked, where the surface supports it. */
  ephemeral?: boolean;
  /** Ask the surface to open this form (Slack modal, Teams dialog, terminal prompts). */
  form?: Form;
}

/** Small builders so commands read as what they say. */
export const reply = (text: string, ...blocks: Block[]): Reply => ({ text, blocks });
export const header = (text: string): Block => ({ type: "header", text });
export const section = (text: string, fields?: Field[]): Block =>
  fields && fields.length > 0 ? { type: "section", text, fields } : { type: "section", text };
export const fields = (...items: Field[]): Block => ({ type: "section", fields: items });
export const context = (text: string): Block => ({ type: "context", text });
export const links = (items: Link[]): Block => ({ type: "links", links: items });
export const actions = (...items: Action[]): Block => ({ type: "actions", actions: items });
export const divider = (): Block => ({ type: "divider" });

/**
 * The URL as it may be shown as a link or button, or undefined. Descriptor files only have to hold a
 * parseable URL, so `javascript:` or `file:` links reach replies; renderers show web and mail links only.
 */
export function webUrl(url: string): string | undefined {
  try {
    return ["https:", "http:", "mailto:"].includes(new URL(url).protocol) ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `text` uses the markdown subset at all. Most text in answers (names, emails, descriptions) does
 * not, and renderers then skip the markdown parser: for such text it would return the text unchanged.
 * Line breaks count as markup; so do CR and NUL, which the parser normalises.
 */
export function hasMarkup(text: string): boolean {
  return /[*_`[\\\n\r\0]/.test(text);
}

/** Escape text that came from a file or a person so the markdown subset does not interpret it. */
export function escapeText(text: string): string {
  return text.replace(/([*_`[\]\\])/g, "\\$1");
}

/**
 * A person's handles on the chat platforms, by platform: `slack` is a Slack user id (U… or W…), `teams`
 * the sign-in name (user principal name, usually an email) Teams knows them by.
 */
export interface ChatHandles {
  slack?: string;
  teams?: string;
}

const PERSON = "person:";

/**
 * A person in reply text, for every surface to show its own way: Slack mentions them by their Slack id,
 * Teams links their name to a chat when it knows their Teams name, the terminal writes the handles out.
 * A surface never shows another surface's handle. `label` is markdown (escape what came from a file);
 * it is what a surface shows when it has no handle of its own, and the escaping keeps a name or
 * description from forging a person.
 */
export function person(label: string, handles: ChatHandles): string {
  const query = new URLSearchParams();
  if (handles.slack) query.set("slack", handles.slack);
  if (handles.teams) query.set("teams", handles.teams);
  const href = query.toString();
  return href ? `[${label}](${PERSON}?${href})` : label;
}

/** The handles of a `person` link's target, or undefined for any other link. */
export function personHandles(href: string): ChatHandles | undefined {
  if (!href.startsWith(PERSON)) return undefined;
  const at = href.indexOf("?");
  const query = new URLSearchParams(at === -1 ? "" : href.slice(at + 1));
  const handles: ChatHandles = {};
  const slack = query.get("slack");
  const teams = query.get("teams");
  if (slack) handles.slack = slack;
  if (teams) handles.teams = teams;
  return handles;
}
