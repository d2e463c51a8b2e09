/**
 * One page of a Form as the Adaptive Card inside a Teams dialog, and the reading of what its buttons send
 * back. Pure, like render-card.ts: the chat core's form session owns paging, values and validation; this only
 * shows page N and says which page, session and button a task/submit came from.
 */
import type { FieldErrors, Form, FormField, FormValues, Option } from "../../message/form.ts";
import type { RawValues } from "../core/form-values.ts";
import { escapeCardText, toCardMarkdown, toPlainText } from "./card-markdown.ts";
import { clip, emptyCard, type AdaptiveCard, type CardElement } from "./render-card.ts";

const MAX_CHOICES = 100;

/**
 * The key of a dialog button's own data. Teams merges the inputs' values into the data a button carries, by
 * input id, so the button's data sits under one key no form field is likely to be called.
 */
export const FORM_CONTROL = "callboard";

/** What a dialog button carries back in task/submit, so any replica can continue the form. */
export interface FormControl {
  session: string;
  page: number;
  intent: "next" | "back";
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

/**
 * Whether Teams itself should refuse to send the page while `field` is empty. Not on a page with Back: Teams
 * checks required inputs on every button that sends them, and Back must send the page (so nothing typed is
 * lost) without being refused; the core checks required fields on Next anyway. Never for a secret: it is
 * shown empty again, and left empty it keeps what was typed before.
 */
function requiredInCard(field: FormField, options: FormRenderOptions): boolean {
  return field.required === true && !isSecret(field) && options.pageIndex === 0 && !field.visibleWhen;
}

function isSecret(field: FormField): boolean {
  return field.secret === true || field.kind === "secret";
}

export function renderInput(field: FormField, options: FormRenderOptions): CardElement {
  const label = clip(toPlainText(field.label), 200);
  const required = requiredInCard(field, options);
  const common = {
    id: field.name,
    label,
    isRequired: required,
    ...(required ? { errorMessage: clip(`${label} is required.`, 200) } : {}),
  };
  // A secret is never filled back: not its value, not a default.
  const value = isSecret(field) ? undefined : initialValue(field, options.values);
  const placeholder = field.placeholder ? { placeholder: clip(field.placeholder, 200) } : {};
  switch (field.kind) {
    // secret, hidden and tags have no input of their own here yet: a text box (lists comma-separated),
    // which the form definition reads back.
    case "text":
    case "textarea":
    case "repoUrl":
    case "secret":
    case "hidden":
    case "tags": {
      const text = asText(value);
      return {
        type: "Input.Text",
        ...common,
        ...placeholder,
        ...(field.kind === "textarea" ? { isMultiline: true } : {}),
        ...(isSecret(field) ? { style: "password" } : field.kind === "repoUrl" ? { style: "url" } : {}),
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
    case "owner":
    case "multiEntity": {
      const text = asText(value);
      const dataset =
        field.kind === "entity" || field.kind === "owner" || field.kind === "multiEntity"
          ? fieldDataset(options.session, options.pageIndex, field.name)
          : undefined;
      return {
        type: "Input.ChoiceSet",
        ...common,
        ...placeholder,
        style: "compact",
        ...(field.kind === "multiselect" || field.kind === "multiEntity" ? { isMultiSelect: true } : {}),
        choices: choicesFor(field, options).map((o) => ({ title: clip(o.label, 200), value: o.value })),
        ...(dataset && options.typeahead ? { "choices.data": { type: "Data.Query", dataset } } : {}),
        ...(text !== undefined ? { value: text } : {}),
      };
    }
  }
}

const FIELD_DATASET = "field|";

/**
 * A picker's Data.Query dataset: the form session, page and field, so the typeahead (application/search)
 * asks the field's own options provider with its picker options (a template's catalogFilter, say).
 */
export function fieldDataset(session: string, page: number, name: string): string {
  return `${FIELD_DATASET}${page}|${session}|${name}`;
}

/** The session, page and field a dataset names, or undefined for a plain provider id ("entity"). */
export function decodeFieldDataset(
  dataset: string,
): { session: string; page: number; name: string } | undefined {
  if (!dataset.startsWith(FIELD_DATASET) || dataset.length > 1000) return undefined;
  const [page = "", session = "", ...name] = dataset.slice(FIELD_DATASET.length).split("|");
  const index = Number(page);
  if (!Number.isInteger(index) || index < 0 || !session || name.length === 0) return undefined;
  return { session, page: index, name: name.join("|") };
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
  const data = (intent: FormControl["intent"]) => ({
    [FORM_CONTROL]: { session: options.session, page: options.pageIndex, intent } satisfies FormControl,
  });
  const isLast = options.pageIndex === form.pages.length - 1;
  card.actions = [
    {
      type: "Action.Submit",
      title: isLast ? (form.submitLabel ?? "Submit") : "Next",
      style: "positive",
      data: data("next"),
    },
    ...(options.pageIndex > 0 ? [{ type: "Action.Submit", title: "Back", data: data("back") }] : []),
  ];
  return card;
}

/**
 * What a dialog's task/submit says: which session, page and button, and the inputs' values as Teams sent them
 * (strings: "true"/"false" from toggles, comma-joined values from multi-selects). Undefined for data no
 * dialog of ours sent.
 */
export function readFormSubmit(data: unknown): (FormControl & { raw: RawValues }) | undefined {
  if (!data || typeof data !== "object" || Array.isArray(data)) return undefined;
  const { [FORM_CONTROL]: control, msteams: _msteams, ...inputs } = data as Record<string, unknown>;
  if (!control || typeof control !== "object") return undefined;
  const { session, page, intent } = control as Record<string, unknown>;
  if (typeof session !== "string" || !session) return undefined;
  if (typeof page !== "number" || !Number.isInteger(page) || page < 0) return undefined;
  if (intent !== "next" && intent !== "back") return undefined;
  const raw: RawValues = {};
  for (const [name, value] of Object.entries(inputs)) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      raw[name] = String(value);
    }
  }
  return { session, page, intent, raw };
}
