import type { types } from "@slack/bolt";
import type { Form, FormField, FormValues, Option } from "../../message/form.ts";
import { webUrl, type Action, type Block, type Reply } from "../../message/reply.ts";
import { clip, escapeMrkdwn, toMrkdwn, toPlainText } from "./mrkdwn.ts";

type KnownBlock = types.KnownBlock;

/** Slack's documented limits (Block Kit reference and @slack/types JSDoc); the renderer never exceeds them. */
export const SLACK_LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  actionId: 255,
  blockId: 255,
  callbackId: 255,
  viewTitle: 24,
  viewButton: 24,
  privateMetadata: 3000,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  optionText: 75,
  optionValue: 75,
  selectOptions: 100,
  /** Slack truncates at 40,000; a notification longer than this helps nobody. */
  fallbackText: 4000,
} as const;

/** What a button carries back in block_actions: a command to run, or a form to open. */
export interface ButtonValue {
  command?: string;
  form?: string;
  args?: string;
}

export function encodeButtonValue(value: ButtonValue): string {
  return JSON.stringify(value.form ? { f: value.form, a: value.args ?? "" } : { c: value.command ?? "" });
}

export function decodeButtonValue(raw: string | undefined): ButtonValue | undefined {
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as { c?: unknown; f?: unknown; a?: unknown };
    if (typeof parsed.f === "string")
      return { form: parsed.f, args: typeof parsed.a === "string" ? parsed.a : "" };
    if (typeof parsed.c === "string") return { command: parsed.c };
  } catch {
    // A value we did not write (an old message, a hand-made payload): nothing to run.
  }
  return undefined;
}

export interface RenderedMessage {
  text: string;
  blocks: KnownBlock[];
}

export interface MessageOptions {
  /** 50 for messages and unfurls, 100 for the App Home tab. */
  maxBlocks?: number;
  /** When blocks are left out, a button runs this to show the rest (e.g. the command again with --all). */
  moreCommand?: string;
}

/** Reply → Block Kit message. Pure: the same Reply always gives the same blocks. */
export function renderMessage(answer: Reply, options: MessageOptions = {}): RenderedMessage {
  const maxBlocks = options.maxBlocks ?? SLACK_LIMITS.messageBlocks;
  const ids = { next: 0 };
  let blocks = answer.blocks.flatMap((block) => renderBlock(block, ids));
  if (blocks.length > maxBlocks) {
    const more = options.moreCommand
      ? renderButtons([{ label: "Show the rest", command: options.moreCommand }], ids)
      : [];
    const kept = blocks.slice(0, maxBlocks - 1 - more.length);
    const leftOut = blocks.slice(kept.length).filter((b) => b.type !== "divider").length;
    const note = options.moreCommand
      ? `${leftOut} more ${leftOut === 1 ? "part" : "parts"} not shown here.`
      : `${leftOut} more ${leftOut === 1 ? "part" : "parts"} not shown here; ask a narrower question to see them.`;
    blocks = [...kept, { type: "context", elements: [{ type: "mrkdwn", text: note }] }, ...more];
  }
  return { text: fallbackText(answer), blocks };
}

function fallbackText(answer: Reply): string {
  const text = answer.text.trim() || firstText(answer.blocks) || "Callboard";
  return clip(escapeMrkdwn(text), SLACK_LIMITS.fallbackText);
}

function firstText(blocks: Block[]): string | undefined {
  for (const block of blocks) {
    if ((block.type === "header" || block.type === "section" || block.type === "context") && block.text) {
      return toPlainText(block.text);
    }
  }
  return undefined;
}

function renderBlock(block: Block, ids: { next: number }): KnownBlock[] {
  switch (block.type) {
    case "header": {
      const text = clip(toPlainText(block.text).trim(), SLACK_LIMITS.headerText);
      return text ? [{ type: "header", text: { type: "plain_text", text, emoji: true } }] : [];
    }
    case "section":
      return renderSection(block.text, block.fields);
    case "context": {
      const text = cutMrkdwn(toMrkdwn(block.text), SLACK_LIMITS.contextText);
      return text.trim() ? [{ type: "context", elements: [{ type: "mrkdwn", text }] }] : [];
    }
    case "links": {
      const lines = block.links.flatMap((l) => {
        const url = webUrl(l.url);
        return url
          ? [`• <${escapeMrkdwn(url)}|${escapeMrkdwn(toPlainText(l.title)).replace(/\|/g, "¦")}>`]
          : [];
      });
      if (lines.length === 0) return [];
      return splitMrkdwn(lines.join("\n"), SLACK_LIMITS.sectionText).map((text) => mrkdwnSection(text));
    }
    case "actions":
      return renderButtons(block.actions, ids);
    case "divider":
      return [{ type: "divider" }];
  }
}

function mrkdwnSection(text: string): KnownBlock {
  return { type: "section", text: { type: "mrkdwn", text } };
}

function renderSection(
  text: string | undefined,
  items: { label: string; value: string }[] | undefined,
): KnownBlock[] {
  const sections: types.SectionBlock[] = (
    text?.trim() ? splitMrkdwn(toMrkdwn(text), SLACK_LIMITS.sectionText) : []
  ).map((chunk) => ({ type: "section", text: { type: "mrkdwn", text: chunk } }));
  const fieldTexts = (items ?? []).map((f) =>
    cutMrkdwn(`*${escapeMrkdwn(toPlainText(f.label))}*\n${toMrkdwn(f.value) || " "}`, SLACK_LIMITS.fieldText),
  );
  for (let start = 0; start < fieldTexts.length; start += SLACK_LIMITS.sectionFields) {
    const chunk = fieldTexts
      .slice(start, start + SLACK_LIMITS.sectionFields)
      .map((t) => ({ type: "mrkdwn" as const, text: t }));
    const last = sections[sections.length - 1];
    if (start === 0 && last && !last.fields) last.fields = chunk;
    else sections.push({ type: "section", fields: chunk });
  }
  return sections;
}

function renderButtons(list: Action[], ids: { next: number }): KnownBlock[] {
  const buttons: types.Button[] = [];
  for (const action of list) {
    const text = clip(toPlainText(action.label).trim() || "Open", SLACK_LIMITS.buttonText);
    const button: types.Button = {
      type: "button",
      text: { type: "plain_text", text, emoji: true },
      action_id: "",
    };
    if (action.url) {
      const url = webUrl(action.url);
      if (!url || url.length > SLACK_LIMITS.buttonUrl) continue;
      button.url = url;
    } else if (action.command !== undefined || action.form) {
      const value = encodeButtonValue({
        command: action.command,
        form: action.form?.id,
        args: action.form?.args,
      });
      // A command longer than Slack lets a button carry cannot be run from one; the text still says it.
      if (value.length > SLACK_LIMITS.buttonValue) continue;
      button.value = value;
    } else {
      continue;
    }
    if (action.style) button.style = action.style;
    button.action_id = `cb_${ids.next++}`;
    buttons.push(button);
  }
  const blocks: KnownBlock[] = [];
  for (let start = 0; start < buttons.length; start += SLACK_LIMITS.actionsElements) {
    blocks.push({ type: "actions", elements: buttons.slice(start, start + SLACK_LIMITS.actionsElements) });
  }
  return blocks;
}

/**
 * Split mrkdwn into pieces of at most `max` characters, preferring line then word boundaries and never
 * cutting inside a `<url|label>` link or an `&amp;` entity.
 */
export function splitMrkdwn(text: string, max: number): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf("\n", max);
    if (cut < max / 2) cut = rest.lastIndexOf(" ", max);
    if (cut < max / 2) cut = max;
    cut = safeCut(rest, cut);
    chunks.push(rest.slice(0, cut).trimEnd() || rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^[\n ]+/, "");
  }
  if (rest.trim().length > 0) chunks.push(rest);
  return chunks;
}

/** Cut mrkdwn to `max` characters with an ellipsis, keeping links and entities whole. */
export function cutMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, safeCut(text, max - 1)).trimEnd()}…`;
}

function safeCut(text: string, at: number): number {
  let cut = at;
  const open = text.lastIndexOf("<", cut - 1);
  if (open >= 0 && text.lastIndexOf(">", cut - 1) < open && open > 0) cut = open;
  const amp = text.lastIndexOf("&", cut - 1);
  if (amp >= 0 && cut - amp < 5 && !text.slice(amp, cut).includes(";")) cut = amp > 0 ? amp : cut;
  return cut;
}

/* ---------------------------------------------------------------- forms → modals */

/** Where a modal came from, and the id of its state in the FormStateStore. Travels in private_metadata. */
export interface ModalMetadata {
  stateId: string;
  page: number;
  channel?: string;
  thread?: string;
}

export function encodeMetadata(meta: ModalMetadata): string {
  const raw = JSON.stringify({ s: meta.stateId, p: meta.page, c: meta.channel, t: meta.thread });
  if (raw.length > SLACK_LIMITS.privateMetadata)
    throw new Error("Modal metadata exceeds Slack's 3,000 characters.");
  return raw;
}

export function decodeMetadata(raw: string | undefined): ModalMetadata | undefined {
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as { s?: unknown; p?: unknown; c?: unknown; t?: unknown };
    if (typeof parsed.s !== "string" || typeof parsed.p !== "number") return undefined;
    return {
      stateId: parsed.s,
      page: parsed.p,
      ...(typeof parsed.c === "string" ? { channel: parsed.c } : {}),
      ...(typeof parsed.t === "string" ? { thread: parsed.t } : {}),
    };
  } catch {
    return undefined;
  }
}

export const FORM_CALLBACK_ID = "callboard_form";
const VALUE_ACTION = "value";
const PICKER_PREFIX = "pick|";

/** The picker a block_suggestion asks about, read back from the external_select's action_id. */
export function decodePickerActionId(actionId: string): { provider: string; kinds?: string[] } | undefined {
  if (!actionId.startsWith(PICKER_PREFIX)) return undefined;
  const [provider = "", kinds = ""] = actionId.slice(PICKER_PREFIX.length).split("|");
  return kinds ? { provider, kinds: kinds.split(",") } : { provider };
}

/** One page of a Form as a modal view. */
export function renderModal(form: Form, pageIndex: number, privateMetadata: string): types.ModalView {
  const page = form.pages[pageIndex];
  if (!page) throw new Error(`Form "${form.id}" has no page ${pageIndex + 1}.`);
  const last = pageIndex === form.pages.length - 1;
  const blocks: KnownBlock[] = [];
  if (form.pages.length > 1) {
    const step = `Step ${pageIndex + 1} of ${form.pages.length}: *${escapeMrkdwn(toPlainText(page.title))}*`;
    blocks.push({
      type: "context",
      elements: [{ type: "mrkdwn", text: cutMrkdwn(step, SLACK_LIMITS.contextText) }],
    });
  }
  if (page.description?.trim()) {
    for (const chunk of splitMrkdwn(toMrkdwn(page.description), SLACK_LIMITS.sectionText).slice(0, 3)) {
      blocks.push(mrkdwnSection(chunk));
    }
  }
  const inputs = page.fields.filter((f) => f.kind !== "hidden").map(renderInput);
  const room = SLACK_LIMITS.viewBlocks - blocks.length;
  if (inputs.length > room) {
    blocks.push(...inputs.slice(0, room - 1));
    const missing = inputs.length - (room - 1);
    blocks.push({
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: `${missing} more fields do not fit in a Slack modal; fill this form in the shell.`,
        },
      ],
    });
  } else {
    blocks.push(...inputs);
  }
  return {
    type: "modal",
    callback_id: FORM_CALLBACK_ID,
    title: {
      type: "plain_text",
      text: clip(toPlainText(form.title).trim() || "Callboard", SLACK_LIMITS.viewTitle),
    },
    submit: {
      type: "plain_text",
      text: clip(last ? (form.submitLabel ?? "Submit") : "Next", SLACK_LIMITS.viewButton),
    },
    close: { type: "plain_text", text: "Cancel" },
    private_metadata: privateMetadata,
    blocks,
  };
}

function plain(text: string, max: number): types.PlainTextElement {
  return { type: "plain_text", text: clip(toPlainText(text).trim() || " ", max) };
}

function option(o: Option, index: number): types.PlainTextOption {
  return {
    text: plain(o.label || o.value, SLACK_LIMITS.optionText),
    value: optionValue(o.value, index),
    ...(o.description ? { description: plain(o.description, SLACK_LIMITS.optionText) } : {}),
  };
}

/** Values longer than Slack allows travel as their position and are mapped back on submit. */
function optionValue(value: string, index: number): string {
  return value.length <= SLACK_LIMITS.optionValue && !value.startsWith("#") ? value : `#${index}`;
}

function renderInput(field: FormField): KnownBlock {
  const base = {
    type: "input" as const,
    block_id: clip(field.name, SLACK_LIMITS.blockId),
    label: plain(field.label || field.name, SLACK_LIMITS.inputLabel),
    optional: !field.required,
    ...(field.description ? { hint: plain(field.description, SLACK_LIMITS.inputHint) } : {}),
  };
  const placeholder = field.placeholder
    ? { placeholder: plain(field.placeholder, SLACK_LIMITS.placeholder) }
    : {};
  const options = (field.options ?? []).slice(0, SLACK_LIMITS.selectOptions).map(option);
  switch (field.kind) {
    case "number":
      return {
        ...base,
        element: {
          type: "number_input",
          action_id: VALUE_ACTION,
          is_decimal_allowed: true,
          ...(typeof field.default === "number" ? { initial_value: String(field.default) } : {}),
          ...placeholder,
        },
      };
    case "boolean":
      // An unticked box is a valid "false", so the block itself is never required.
      return {
        ...base,
        optional: true,
        element: {
          type: "checkboxes",
          action_id: VALUE_ACTION,
          options: [{ text: plain(field.label || field.name, SLACK_LIMITS.optionText), value: "true" }],
          ...(field.default === true
            ? {
                initial_options: [
                  { text: plain(field.label || field.name, SLACK_LIMITS.optionText), value: "true" },
                ],
              }
            : {}),
        },
      };
    case "select":
    case "radio": {
      const initial = options.find((_, i) => field.options?.[i]?.value === field.default);
      return {
        ...base,
        element: {
          type: "static_select",
          action_id: VALUE_ACTION,
          options: options.length > 0 ? options : [{ text: plain("(no choices)", 75), value: "#none" }],
          ...(initial ? { initial_option: initial } : {}),
          ...placeholder,
        },
      };
    }
    case "multiselect": {
      const defaults = Array.isArray(field.default) ? field.default : [];
      const initial = options.filter((_, i) => defaults.includes(field.options?.[i]?.value));
      return {
        ...base,
        element: {
          type: "multi_static_select",
          action_id: VALUE_ACTION,
          options: options.length > 0 ? options : [{ text: plain("(no choices)", 75), value: "#none" }],
          ...(initial.length > 0 ? { initial_options: initial } : {}),
          ...placeholder,
        },
      };
    }
    case "entity":
    case "owner": {
      const kinds = field.entityKinds?.length ? `|${field.entityKinds.join(",")}` : "";
      const initial =
        typeof field.default === "string" &&
        field.default.length > 0 &&
        field.default.length <= SLACK_LIMITS.optionValue
          ? { initial_option: { text: plain(field.default, SLACK_LIMITS.optionText), value: field.default } }
          : {};
      return {
        ...base,
        element: {
          type: "external_select",
          action_id: clip(`${PICKER_PREFIX}${field.kind}${kinds}`, SLACK_LIMITS.actionId),
          min_query_length: 1,
          ...initial,
          ...placeholder,
        },
      };
    }
    case "text":
    case "textarea":
    case "repoUrl":
    default:
      return {
        ...base,
        element: {
          type: "plain_text_input",
          action_id: VALUE_ACTION,
          multiline: field.kind === "textarea",
          ...(typeof field.default === "string" && field.default.length > 0
            ? { initial_value: field.default.slice(0, 3000) }
            : {}),
          ...placeholder,
        },
      };
  }
}

/** One submitted element of view.state.values, as Slack sends it. */
export interface SubmittedElement {
  type: string;
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_options?: { value: string }[];
}

/** view.state.values for one page → the form's values, typed by field kind. Empty inputs are left out. */
export function readModalValues(
  form: Form,
  pageIndex: number,
  state: Record<string, Record<string, SubmittedElement>>,
): FormValues {
  const values: FormValues = {};
  for (const field of form.pages[pageIndex]?.fields ?? []) {
    const element = Object.values(state[clip(field.name, SLACK_LIMITS.blockId)] ?? {})[0];
    if (!element) {
      if (field.kind === "boolean") values[field.name] = false;
      continue;
    }
    const fromOption = (v: string) => {
      const match = /^#(\d+)$/.exec(v);
      return match ? (field.options?.[Number(match[1])]?.value ?? v) : v;
    };
    switch (field.kind) {
      case "boolean":
        values[field.name] = (element.selected_options ?? []).some((o) => o.value === "true");
        break;
      case "number":
        if (element.value !== undefined && element.value !== null && element.value !== "") {
          values[field.name] = Number(element.value);
        }
        break;
      case "multiselect":
        values[field.name] = (element.selected_options ?? []).map((o) => fromOption(o.value));
        break;
      case "select":
      case "radio":
      case "entity":
      case "owner":
        if (element.selected_option) values[field.name] = fromOption(element.selected_option.value);
        break;
      default:
        if (typeof element.value === "string" && element.value.length > 0) values[field.name] = element.value;
    }
  }
  return values;
}

/** Field errors → Slack's `response_action: errors` map, keyed by the input blocks' block_ids. */
export function modalErrors(
  form: Form,
  pageIndex: number,
  errors: Record<string, string>,
): Record<string, string> {
  const fieldsOnPage = form.pages[pageIndex]?.fields ?? [];
  const out: Record<string, string> = {};
  for (const [name, message] of Object.entries(errors)) {
    const field = fieldsOnPage.find((f) => f.name === name) ?? fieldsOnPage[0];
    if (!field) continue;
    const key = clip(field.name, SLACK_LIMITS.blockId);
    // A form-level error (or one about a field on another page) shows on the first field of this page.
    const text = field.name === name ? message : `${name === "_form" ? "" : `${name}: `}${message}`;
    out[key] = clip(out[key] ? `${out[key]} ${text}` : text, SLACK_LIMITS.inputHint);
  }
  return out;
}

/** Reply → App Home tab. */
export function renderHome(answer: Reply): types.HomeView {
  return { type: "home", blocks: renderMessage(answer, { maxBlocks: SLACK_LIMITS.viewBlocks }).blocks };
}
