import type { Form, FormField, FormValues } from "../../message/form.ts";
import type { FormStateStore } from "../ports.ts";

/**
 * A form in progress: the Form and the answers so far. Kept in the FormStateStore so the dialog card only
 * carries an id and the page number (card data comes back from the client and could be edited there, and
 * any replica may receive the next step).
 */
export interface FormSession {
  form: Form;
  values: FormValues;
}

export async function saveSession(store: FormStateStore, session: FormSession): Promise<string> {
  return store.put(JSON.stringify(session));
}

export async function loadSession(store: FormStateStore, id: unknown): Promise<FormSession | undefined> {
  if (typeof id !== "string" || id.length === 0) return undefined;
  const raw = await store.get(id);
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as FormSession;
    return parsed && typeof parsed === "object" && parsed.form && Array.isArray(parsed.form.pages)
      ? parsed
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Typed values for one page from what Adaptive Card inputs submit (always strings: "true"/"false" from
 * toggles, comma-joined from multi-selects). Empty inputs are left out so "required" checks see them missing.
 */
export function pageValues(fields: FormField[], submitted: Record<string, unknown>): FormValues {
  const values: FormValues = {};
  for (const field of fields) {
    const raw = submitted[field.name];
    if (raw === undefined || raw === null || raw === "") continue;
    const text = String(raw);
    switch (field.kind) {
      case "number": {
        const n = Number(text);
        values[field.name] = Number.isFinite(n) ? n : text;
        break;
      }
      case "boolean":
        values[field.name] = text === "true";
        break;
      case "multiselect":
        values[field.name] = text.split(",").filter((v) => v.length > 0);
        break;
      default:
        values[field.name] = text;
    }
  }
  return values;
}
