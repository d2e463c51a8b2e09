import type { FieldErrors, FormField, FormPage, FormValues } from "../../message/form.ts";

/**
 * What a platform sends back for one field: the text of an input, the value(s) of a choice, a checkbox's
 * state. Adapters pass it on as they read it; this module is the one place that types it by field kind.
 */
export type RawValue = string | string[] | boolean | number | null | undefined;
export type RawValues = Record<string, RawValue>;

const TRUE_WORDS = new Set(["true", "yes", "y", "on", "1"]);
const FALSE_WORDS = new Set(["false", "no", "n", "off", "0"]);

/**
 * One page's submitted values, typed by field kind. Empty inputs are left out, so a required check sees them
 * missing; values that cannot be read as their kind come back as errors worded for the person.
 */
export function decodePageValues(
  page: FormPage,
  raw: RawValues,
): { values: FormValues; errors: FieldErrors } {
  const values: FormValues = {};
  const errors: FieldErrors = {};
  for (const field of page.fields) {
    const result = decodeValue(field, raw[field.name]);
    if ("error" in result) errors[field.name] = result.error;
    else if (result.value !== undefined) values[field.name] = result.value;
  }
  return { values, errors };
}

function decodeValue(field: FormField, raw: RawValue): { value: unknown } | { error: string } {
  if (raw === null || raw === undefined) {
    // An unticked checkbox sends nothing at all, and means false.
    return { value: field.kind === "boolean" ? false : undefined };
  }
  const texts = (Array.isArray(raw) ? raw : [raw]).map((v) => String(v).trim());
  const text = texts.join(",");
  switch (field.kind) {
    case "boolean": {
      if (typeof raw === "boolean") return { value: raw };
      const word = text.toLowerCase();
      if (word === "") return { value: false };
      if (TRUE_WORDS.has(word)) return { value: true };
      if (FALSE_WORDS.has(word)) return { value: false };
      return { error: `${field.label}: answer yes or no.` };
    }
    case "number": {
      if (text === "") return { value: undefined };
      const n = typeof raw === "number" ? raw : Number(text);
      return Number.isFinite(n)
        ? { value: n }
        : { error: `${field.label} must be a number, not "${clipText(text)}".` };
    }
    case "multiselect": {
      const parts = (Array.isArray(raw) ? texts : text.split(",")).map((v) => v.trim()).filter(Boolean);
      return { value: parts.length > 0 ? [...new Set(parts)] : undefined };
    }
    default:
      // Text keeps its inner spacing (a description); only an all-blank answer counts as no answer.
      if (texts.every((t) => t === "")) return { value: undefined };
      return { value: Array.isArray(raw) ? texts.join(",") : String(raw) };
  }
}

/** Required fields of `page` that have no value: the check every form gets before its own validation. */
export function missingRequired(page: FormPage, values: FormValues): FieldErrors {
  const errors: FieldErrors = {};
  for (const field of page.fields) {
    // A field asked only under a condition (visibleWhen) is required only when it holds: the form's own
    // validation knows the condition, so it checks those.
    if (!field.required || field.kind === "boolean" || field.visibleWhen) continue;
    const value = values[field.name];
    if (value === undefined || value === "" || (Array.isArray(value) && value.length === 0)) {
      errors[field.name] = `${field.label} is required.`;
    }
  }
  return errors;
}

function clipText(text: string): string {
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
