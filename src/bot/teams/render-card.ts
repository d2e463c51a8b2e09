/**
 * Reply and Form values as Adaptive Cards 1.5, the highest version Teams renders in bot messages, dialogs,
 * message-extension results and link previews. Pure: no SDK, no I/O, so it can be tested exhaustively
 * and survive the move from botbuilder to @microsoft/agents-hosting untouched.
 */
import type { FieldErrors, Form, FormField, FormValues, Option } from "../../message/form.ts";
import { webUrl, type Action, type Block, type Reply } from "../../message/reply.ts";
import { escapeCardText, toCardMarkdown, toPlainText } from "./card-markdown.ts";

export type CardElement = { type: string; [key: string]: unknown };

export interface AdaptiveCard {
  type: "AdaptiveCard";
  $schema: string;
  version: "1.5";
  body: CardElement[];
  actions?: CardElement[];
  fallbackText?: string;
}

export const ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";
/** Teams refuses messages above about 28 KB (413 MessageSizeTooBig); keep room for the activity around the card. */
export const TEAMS_MESSAGE_BYTE_LIMIT = 28 * 1024;
export const DEFAULT_CARD_BYTE_LIMIT = 26 * 1024;
/** Button verbs the surface understands in the adaptiveCard/action invoke. */
export const VERB_COMMAND = "command";
export const VERB_MORE = "more";

/** A single text is clipped before any block is dropped, so one huge section cannot push out everything. */
const MAX_TEXT_CHARS = 6000;
const MAX_ACTIONS_PER_SET = 6;
const MAX_CHOICES = 100;

export interface RenderOptions {
  /** Largest card JSON in bytes (UTF-8). */
  byteLimit?: number;
  /** Render from this block on (the "more" button shows the rest of a long reply). */
  startAt?: number;
  /** The button that shows what did not fit; given the index of the first block left out. */
  more?: (nextBlock: number) => Action & { verb?: string; data?: Record<string, unknown> };
}

export function cardBytes(card: unknown): number {
  return Buffer.byteLength(JSON.stringify(card), "utf8");
}

/** The text cut to `max` characters, with an ellipsis where it was cut. */
export function clip(text: string, max = MAX_TEXT_CHARS): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function emptyCard(fallbackText: string): AdaptiveCard {
  return {
    type: "AdaptiveCard",
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    version: "1.5",
    body: [],
    fallbackText: clip(toPlainText(fallbackText), 500),
  };
}

/** The card action for a button; undefined for a link button whose URL is not a web or mail link. */
export function renderAction(action: Action): CardElement | undefined {
  const title = clip(toPlainText(action.label), 80);
  const style =
    action.style === "primary" ? "positive" : action.style === "danger" ? "destructive" : undefined;
  if (action.form) {
    // Action.Execute cannot open a dialog; Teams turns this Submit into a task/fetch invoke.
    return {
      type: "Action.Submit",
      title,
      ...(style ? { style } : {}),
      data: {
        msteams: { type: "task/fetch" },
        form: action.form.id,
        ...(action.form.args ? { args: action.form.args } : {}),
      },
    };
  }
  if (action.command) {
    return {
      type: "Action.Execute",
      title,
      verb: VERB_COMMAND,
      data: { command: action.command },
      ...(style ? { style } : {}),
    };
  }
  const url = action.url ? webUrl(action.url) : undefined;
  return url ? { type: "Action.OpenUrl", title, url } : undefined;
}

function actionSets(actions: CardElement[]): CardElement[] {
  const sets: CardElement[] = [];
  for (let i = 0; i < actions.length; i += MAX_ACTIONS_PER_SET) {
    sets.push({ type: "ActionSet", actions: actions.slice(i, i + MAX_ACTIONS_PER_SET) });
  }
  return sets;
}

/** One Reply block as card elements (a block may need several, e.g. a section with text and facts). */
export function renderBlock(block: Block): CardElement[] {
  switch (block.type) {
    case "header":
      return [
        {
          type: "TextBlock",
          text: escapeCardText(clip(block.text, 300)),
          size: "Large",
          weight: "Bolder",
          wrap: true,
        },
      ];
    case "section": {
      const out: CardElement[] = [];
      if (block.text) out.push({ type: "TextBlock", text: toCardMarkdown(clip(block.text)), wrap: true });
      if (block.fields?.length) {
        out.push({
          type: "FactSet",
          facts: block.fields.map((f) => ({
            title: clip(toPlainText(f.label), 200),
            value: toCardMarkdown(clip(f.value, 2000)),
          })),
        });
      }
      return out;
    }
    case "context":
      return [
        {
          type: "TextBlock",
          text: toCardMarkdown(clip(block.text)),
          size: "Small",
          isSubtle: true,
          wrap: true,
        },
      ];
    case "links":
      return actionSets(
        block.links.flatMap((l) => {
          const url = webUrl(l.url);
          return url ? [{ type: "Action.OpenUrl", title: clip(toPlainText(l.title), 80), url }] : [];
        }),
      );
    case "actions":
      return actionSets(block.actions.flatMap((a) => renderAction(a) ?? []));
    case "divider":
      return [];
  }
}

/** A rendered Reply, and where it was cut when it did not fit whole. */
export interface RenderedReply {
  card: AdaptiveCard;
  /** Index of the first block left out; absent when the whole answer (from startAt) is in the card. */
  continuesAt?: number;
}

/**
 * A Reply as one Adaptive Card. Blocks that would push the card past the byte limit are left out and a
 * "more" button takes their place: a long answer is shortened, never refused by Teams. `options.more` is
 * also called to measure the button before anything is cut, so it must not act on being called; whether
 * the answer was cut is `continuesAt`.
 */
export function renderReplyCard(reply: Reply, options: RenderOptions = {}): RenderedReply {
  const limit = options.byteLimit ?? DEFAULT_CARD_BYTE_LIMIT;
  const card = emptyCard(reply.text);
  const blocks = reply.blocks;
  // What a truncated card ends with; reserve its size up front so adding it never overflows.
  const moreElementsFor = (next: number): CardElement[] => {
    const left = blocks.length - next;
    const note: CardElement = {
      type: "TextBlock",
      text: escapeCardText(
        `${left} more part${left === 1 ? "" : "s"} of this answer did not fit in one card.`,
      ),
      size: "Small",
      isSubtle: true,
      wrap: true,
      separator: true,
    };
    if (!options.more) return [note];
    const more = options.more(next);
    const button = more.verb
      ? { type: "Action.Execute", title: more.label, verb: more.verb, data: more.data ?? {} }
      : renderAction(more);
    return button ? [note, { type: "ActionSet", actions: [button] }] : [note];
  };
  const reserve = cardBytes(moreElementsFor(options.startAt ?? 0)) + 64;
  let separatorNext = false;
  for (let i = options.startAt ?? 0; i < blocks.length; i++) {
    const block = blocks[i]!;
    if (block.type === "divider") {
      separatorNext = true;
      continue;
    }
    const elements = renderBlock(block);
    if (elements.length === 0) continue;
    if (separatorNext) elements[0] = { ...elements[0]!, separator: true };
    const before = card.body.length;
    card.body.push(...elements);
    const budget = i === blocks.length - 1 ? limit : limit - reserve;
    if (cardBytes(card) > budget) {
      card.body.length = before;
      if (before === 0) {
        // Even the first block alone is too big: say the summary rather than send nothing useful.
        card.body.push({
          type: "TextBlock",
          text: escapeCardText(clip(toPlainText(reply.text), 1000)),
          wrap: true,
        });
      }
      card.body.push(...moreElementsFor(i));
      return { card, continuesAt: i };
    }
    separatorNext = false;
  }
  if (card.body.length === 0) {
    card.body.push({
      type: "TextBlock",
      text: escapeCardText(clip(toPlainText(reply.text), 2000)),
      wrap: true,
    });
  }
  return { card };
}

/** The card alone, for callers that do not keep the rest of a long answer. */
export function renderCard(reply: Reply, options: RenderOptions = {}): AdaptiveCard {
  return renderReplyCard(reply, options).card;
}

/** What a form card's buttons carry back in task/submit, so any replica can continue the form. */
export interface FormCardData {
  formAction: "next" | "back" | "cancel";
  page: number;
  /** Opaque reference to the form session (the surface decides inline JSON or a FormStateStore id). */
  session: string;
}

export interface FormRenderOptions {
  pageIndex: number;
  session: string;
  values?: FormValues;
  errors?: FieldErrors;
  /** Static choices for entity and owner pickers, fetched ahead (the fallback where typeahead is missing). */
  pickerChoices?: Record<string, Option[]>;
  /**
   * Add `choices.data` (Data.Query) to pickers so Teams asks the bot as the person types (application/search).
   * Off by default: Data.Query is not part of the Adaptive Card 1.5 schema, though Teams accepts it in 1.5 cards.
   */
  typeahead?: boolean;
}

function initialValue(field: FormField, values: FormValues | undefined): unknown {
  return values && field.name in values ? values[field.name] : field.default;
}

function asText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(String).join(",");
  return String(value);
}

function choicesFor(field: FormField, options: FormRenderOptions): Option[] {
  return (field.options ?? options.pickerChoices?.[field.name] ?? []).slice(0, MAX_CHOICES);
}

export function renderInput(field: FormField, options: FormRenderOptions): CardElement {
  const label = clip(toPlainText(field.label), 200);
  const common = {
    id: field.name,
    label,
    isRequired: field.required === true,
    errorMessage: clip(`${label} is required.`, 200),
  };
  const value = initialValue(field, options.values);
  const placeholder = field.placeholder ? { placeholder: clip(field.placeholder, 200) } : {};
  switch (field.kind) {
    // secret, hidden, multiEntity and tags have no input of their own here yet: a text box (lists
    // comma-separated), which the form definition reads back.
    case "text":
    case "textarea":
    case "repoUrl":
    case "secret":
    case "hidden":
    case "multiEntity":
    case "tags": {
      const text = field.secret ? undefined : asText(value);
      return {
        type: "Input.Text",
        ...common,
        ...placeholder,
        ...(field.kind === "textarea" ? { isMultiline: true } : {}),
        ...(field.secret ? { style: "password" } : field.kind === "repoUrl" ? { style: "url" } : {}),
        ...(text !== undefined ? { value: text } : {}),
      };
    }
    case "number": {
      const n = typeof value === "number" ? value : value === undefined ? undefined : Number(value);
      return {
        type: "Input.Number",
        ...common,
        ...placeholder,
        ...(n !== undefined && Number.isFinite(n) ? { value: n } : {}),
      };
    }
    case "boolean":
      return {
        type: "Input.Toggle",
        ...common,
        title: label,
        valueOn: "true",
        valueOff: "false",
        value: value === true || value === "true" ? "true" : "false",
      };
    case "select":
    case "multiselect":
    case "radio":
    case "entity":
    case "owner": {
      const text = asText(value);
      const dataset = field.kind === "entity" || field.kind === "owner" ? field.kind : undefined;
      return {
        type: "Input.ChoiceSet",
        ...common,
        ...placeholder,
        style: "compact",
        ...(field.kind === "multiselect" ? { isMultiSelect: true } : {}),
        choices: choicesFor(field, options).map((o) => ({ title: clip(o.label, 200), value: o.value })),
        ...(dataset && options.typeahead ? { "choices.data": { type: "Data.Query", dataset } } : {}),
        ...(text !== undefined ? { value: text } : {}),
      };
    }
  }
}

/** One page of a Form as the card inside a Teams dialog, with the person's earlier answers and any errors. */
export function renderFormCard(form: Form, options: FormRenderOptions): AdaptiveCard {
  const page = form.pages[options.pageIndex];
  if (!page) throw new Error(`Form "${form.id}" has no page ${options.pageIndex + 1}.`);
  const card = emptyCard(form.title);
  const errors = options.errors ?? {};
  card.body.push({
    type: "TextBlock",
    text: escapeCardText(clip(form.title, 300)),
    size: "Large",
    weight: "Bolder",
    wrap: true,
  });
  if (form.pages.length > 1 || page.title !== form.title) {
    const step = form.pages.length > 1 ? `Step ${options.pageIndex + 1} of ${form.pages.length}: ` : "";
    card.body.push({
      type: "TextBlock",
      text: escapeCardText(`${step}${page.title}`),
      weight: "Bolder",
      wrap: true,
    });
  }
  if (page.description)
    card.body.push({ type: "TextBlock", text: toCardMarkdown(clip(page.description)), wrap: true });
  if (errors._form) {
    card.body.push({ type: "TextBlock", text: escapeCardText(errors._form), color: "Attention", wrap: true });
  }
  for (const field of page.fields) {
    if (field.kind === "hidden") continue;
    card.body.push(renderInput(field, options));
    if (field.description) {
      card.body.push({
        type: "TextBlock",
        text: toCardMarkdown(clip(field.description, 1000)),
        size: "Small",
        isSubtle: true,
        wrap: true,
        spacing: "None",
      });
    }
    const error = errors[field.name];
    if (error) {
      card.body.push({
        type: "TextBlock",
        text: escapeCardText(error),
        color: "Attention",
        size: "Small",
        wrap: true,
        spacing: "None",
      });
    }
  }
  const data = (formAction: FormCardData["formAction"]): FormCardData => ({
    formAction,
    page: options.pageIndex,
    session: options.session,
  });
  const isLast = options.pageIndex === form.pages.length - 1;
  card.actions = [
    {
      type: "Action.Submit",
      title: isLast ? (form.submitLabel ?? "Submit") : "Next",
      style: "positive",
      data: data("next"),
    },
    ...(options.pageIndex > 0
      ? [{ type: "Action.Submit", title: "Back", associatedInputs: "none", data: data("back") }]
      : []),
  ];
  return card;
}
