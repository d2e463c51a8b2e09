/**
 * The platform-neutral form: fields derived from a JSON Schema (for templates) or declared by a plugin.
 * Rendered as a Slack modal (one view a page), an Adaptive Card dialog, or terminal prompts.
 */
export type FieldKind =
  "text" | "textarea" | "number" | "boolean" | "select" | "multiselect" | "entity" | "owner" | "repoUrl";

export interface Option {
  value: string;
  label: string;
  description?: string;
}

export interface FormField {
  name: string;
  label: string;
  kind: FieldKind;
  description?: string;
  required?: boolean;
  placeholder?: string;
  default?: unknown;
  /** For select and multiselect: the fixed choices. */
  options?: Option[];
  /** For entity and owner pickers: which kinds the type-ahead offers (lower-case kind names). */
  entityKinds?: string[];
  /** Masked input; the value never appears in replies or logs. */
  secret?: boolean;
}

export interface FormPage {
  title: string;
  description?: string;
  fields: FormField[];
}

export interface Form {
  /** The registered form definition this instance belongs to. */
  id: string;
  title: string;
  submitLabel?: string;
  pages: FormPage[];
  /** Opaque state the form definition needs back on submit (kept small; large state goes in the database). */
  state?: string;
}

/** Field name to a message a person can act on. Empty means the page is valid. */
export type FieldErrors = Record<string, string>;

export type FormValues = Record<string, unknown>;
