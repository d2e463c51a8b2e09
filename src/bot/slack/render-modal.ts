import type { types } from "@slack/bolt";
import type { FieldErrors, Form, FormField, FormValues, Option } from "../../message/form.ts";
import type { RawValue, RawValues } from "../core/form-values.ts";
import { mrkdwnSection } from "./render-blocks.ts";
import { clip, cutMrkdwn, escapeMrkdwn, splitMrkdwn, toMrkdwn, toPlainText } from "./mrkdwn.ts";
import { SLACK_LIMITS } from "./slack-limits.ts";

/**
 * One page of a form as one modal view, and what Slack sends back from it as raw values. The chat core keeps
 * the session (paging, Back, validation, typed values); a view carries only the session id and its page.
 */

type KnownBlock = types.KnownBlock;

export const FORM_CALLBACK_ID = "callboard_form";
/** The Back button on pages after the first: a block action from inside the view. */
export const BACK_ACTION_ID = "form_back";
const VALUE_ACTION = "value";
const PICKER_PREFIX = "pick|";

/** What a view carries in private_metadata: the form session and the page it shows. */
export interface ModalMetadata {
  session: string;
  page: number;
}

export function encodeMetadata(meta: ModalMetadata): string {
  const raw = JSON.stringify({ s: meta.session, p: meta.page });
  if (raw.length > SLACK_LIMITS.privateMetadata)
    throw new Error("Modal metadata exceeds Slack's 3,000 characters.");
  return raw;
}

/** The metadata of a view we rendered, or undefined for anything else (an old view, a forgery). */
export function decodeMetadata(raw: unknown): ModalMetadata | undefined {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > SLACK_LIMITS.privateMetadata)
    return undefined;
  try {
    const parsed = JSON.parse(raw) as { s?: unknown; p?: unknown };
    if (typeof parsed.s !== "string" || parsed.s.length === 0 || parsed.s.length > 200) return undefined;
    if (typeof parsed.p !== "number" || !Number.isInteger(parsed.p) || parsed.p < 0) return undefined;
    return { session: parsed.s, page: parsed.p };
  } catch {
    return undefined;
  }
}

/** The picker a block_suggestion asks about, read back from the external_select's action_id. */
export function decodePickerActionId(actionId: string): { provider: string; kinds?: string[] } | undefined {
  if (!actionId.startsWith(PICKER_PREFIX)) return undefined;
  const [provider = "", kinds = ""] = actionId.slice(PICKER_PREFIX.length).split("|");
  return kinds ? { provider, kinds: kinds.split(",") } : { provider };
}

/**
 * Page `pageIndex` of `form` as a modal, filled with `values` (the session's; secret fields are never filled
 * back). Pages after the first end with a Back button; closing the modal (Cancel) is reported to the app.
 */
export function renderModal(
  form: Form,
  pageIndex: number,
  privateMetadata: string,
  values: FormValues = {},
): types.ModalView {
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
  const back: KnownBlock[] =
    pageIndex > 0
      ? [
          {
            type: "actions",
            elements: [
              {
                type: "button",
                text: { type: "plain_text", text: "Back" },
                action_id: BACK_ACTION_ID,
                value: "back",
              },
            ],
          },
        ]
      : [];
  // A hidden field is never shown: the session keeps its value.
  const inputs = page.fields
    .filter((field) => field.kind !== "hidden")
    .map((field) => renderInput(field, values[field.name]));
  const room = SLACK_LIMITS.viewBlocks - blocks.length - back.length;
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
  blocks.push(...back);
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
    // Cancel ends the session (view_closed), so a half-filled form does not wait a day for its expiry.
    notify_on_close: true,
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

function renderInput(field: FormField, value: unknown): KnownBlock {
  const base = {
    type: "input" as const,
    block_id: clip(field.name, SLACK_LIMITS.blockId),
    label: plain(field.label || field.name, SLACK_LIMITS.inputLabel),
    // A conditional field (visibleWhen) may be left empty when its condition does not hold.
    optional: !field.required || field.visibleWhen !== undefined,
    ...(field.description ? { hint: plain(field.description, SLACK_LIMITS.inputHint) } : {}),
  };
  const placeholder = field.placeholder
    ? { placeholder: plain(field.placeholder, SLACK_LIMITS.placeholder) }
    : {};
  if (field.secret || field.kind === "secret") {
    // Slack has no masked input; a secret is never written back into a view, whatever the session holds.
    return { ...base, element: { type: "plain_text_input", action_id: VALUE_ACTION, ...placeholder } };
  }
  const options = (field.options ?? []).slice(0, SLACK_LIMITS.selectOptions).map(option);
  switch (field.kind) {
    case "number":
      return {
        ...base,
        element: {
          type: "number_input",
          action_id: VALUE_ACTION,
          is_decimal_allowed: true,
          ...(typeof value === "number" && Number.isFinite(value) ? { initial_value: String(value) } : {}),
          ...placeholder,
        },
      };
    case "boolean": {
      const tick = { text: plain(field.label || field.name, SLACK_LIMITS.optionText), value: "true" };
      // An unticked box is a valid "false", so the block itself is never required.
      return {
        ...base,
        optional: true,
        element: {
          type: "checkboxes",
          action_id: VALUE_ACTION,
          options: [tick],
          ...(value === true ? { initial_options: [tick] } : {}),
        },
      };
    }
    case "select":
    case "radio": {
      const initial = options.find((_, i) => field.options?.[i]?.value === value);
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
      const chosen = Array.isArray(value) ? value : [];
      const initial = options.filter((_, i) => chosen.includes(field.options?.[i]?.value));
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
        typeof value === "string" && value.length > 0 && value.length <= SLACK_LIMITS.optionValue
          ? { initial_option: { text: plain(value, SLACK_LIMITS.optionText), value } }
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
    case "multiEntity": {
      // Several catalog entities, typed ahead like a single picker (MultiEntityPicker).
      const chosen = (Array.isArray(value) ? value : typeof value === "string" ? value.split(",") : [])
        .map((v) => String(v).trim())
        .filter((v) => v.length > 0 && v.length <= SLACK_LIMITS.optionValue);
      const kinds = field.entityKinds?.length ? `|${field.entityKinds.join(",")}` : "";
      return {
        ...base,
        element: {
          type: "multi_external_select",
          action_id: clip(`${PICKER_PREFIX}entity${kinds}`, SLACK_LIMITS.actionId),
          min_query_length: 1,
          ...(chosen.length > 0
            ? { initial_options: chosen.map((v) => ({ text: plain(v, SLACK_LIMITS.optionText), value: v })) }
            : {}),
          ...placeholder,
        },
      };
    }
    // text, textarea, repoUrl; and tags as text (a comma-separated list the form reads back).
    default:
      return {
        ...base,
        element: {
          type: "plain_text_input",
          action_id: VALUE_ACTION,
          multiline: field.kind === "textarea",
          ...(typeof value === "string" && value.length > 0 ? { initial_value: value.slice(0, 3000) } : {}),
          ...placeholder,
        },
      };
  }
}

/** One submitted element of view.state.values, as Slack sends it. */
export interface SubmittedElement {
  type?: string;
  value?: string | null;
  selected_option?: { value?: unknown } | null;
  selected_options?: { value?: unknown }[] | null;
}

/**
 * view.state.values for one page → what the person entered, per field, as Slack sent it: text, a choice, a
 * list of choices, a tick. The chat core types and checks them (src/bot/core/form-values.ts).
 */
export function readModalValues(form: Form, pageIndex: number, state: unknown): RawValues {
  const raw: RawValues = {};
  const blocks = isRecord(state) ? state : {};
  for (const field of form.pages[pageIndex]?.fields ?? []) {
    const inBlock = blocks[clip(field.name, SLACK_LIMITS.blockId)];
    const element = isRecord(inBlock)
      ? (Object.values(inBlock)[0] as SubmittedElement | undefined)
      : undefined;
    if (!isRecord(element)) continue;
    raw[field.name] = readElement(field, element);
  }
  return raw;
}

function readElement(field: FormField, element: SubmittedElement): RawValue {
  const fromOption = (v: unknown): string | undefined => {
    if (typeof v !== "string") return undefined;
    const match = /^#(\d+)$/.exec(v);
    return match ? (field.options?.[Number(match[1])]?.value ?? v) : v;
  };
  const chosen = Array.isArray(element.selected_options) ? element.selected_options : [];
  if (field.kind === "boolean") return chosen.some((o) => o?.value === "true");
  if (field.kind === "multiselect" || field.kind === "multiEntity") {
    if (!Array.isArray(element.selected_options))
      return typeof element.value === "string" ? element.value : undefined;
    return chosen.flatMap((o) => fromOption(o?.value) ?? []);
  }
  if (element.selected_option !== undefined) return fromOption(element.selected_option?.value);
  return typeof element.value === "string" ? element.value : undefined;
}

/** Field errors → Slack's `response_action: errors` map, keyed by the input blocks' block_ids. */
export function modalErrors(form: Form, pageIndex: number, errors: FieldErrors): Record<string, string> {
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
