/**
 * The platform-neutral form: fields derived from a JSON Schema (for templates) or declared by a plugin.
 * Rendered as a Slack modal (one view a page), an Adaptive Card dialog, or terminal prompts.
 *
 * Kinds beyond the basic inputs: `radio` is a select shown as buttons where a surface can; `secret` is a
 * masked text input whose value never appears in replies or logs; `hidden` is never shown (its default is
 * submitted); `entity`, `owner` and `multiEntity` pick catalog entities; `tags` is a list of free-text tags;
 * `repoUrl` is a repository location `host?owner=…&repo=…`. A surface that cannot show a kind as such shows
 * a text input (lists comma-separated) and the form definition reads that back.
 */
export type FieldKind =
  | "text"
  | "textarea"
  | "number"
  | "boolean"
  | "select"
  | "multiselect"
  | "radio"
  | "secret"
  | "hidden"
  | "entity"
  | "multiEntity"
  | "owner"
  | "tags"
  | "repoUrl";

export interface Option {
  value: string;
  label: string;
  description?: string;
}

/** What an entity picker offers: Backstage's EntityPicker family and their `ui:options`. */
export interface EntityPickerOptions {
  /** Catalog filters; an entity matching any one of them is offered. Values may be `{ exists: true }`. */
  catalogFilter?: Array<Record<string, string | string[] | { exists: boolean }>>;
  defaultKind?: string;
  defaultNamespace?: string;
  /** Whether a value that is not in the catalog is accepted (Backstage's default: true). */
  allowArbitraryValues?: boolean;
  /** Narrows the choices to the person: entities they own, or groups they belong to. */
  scope?: "owned" | "myGroups";
}

/** RepoUrlPicker's `ui:options`: where a new repository may be created. */
export interface RepoUrlOptions {
  allowedHosts?: string[];
  allowedOwners?: string[];
  allowedOrganizations?: string[];
  allowedProjects?: string[];
  allowedRepos?: string[];
}

export interface FormField {
  name: string;
  label: string;
  kind: FieldKind;
  description?: string;
  required?: boolean;
  placeholder?: string;
  default?: unknown;
  /** For select, multiselect and radio: the fixed choices. */
  options?: Option[];
  /** For entity and owner pickers: which kinds the type-ahead offers (lower-case kind names). */
  entityKinds?: string[];
  /** Masked input; the value never appears in replies or logs. */
  secret?: boolean;
  /** For entity, multiEntity and owner fields: what the picker offers. */
  picker?: EntityPickerOptions;
  /**
   * The registered options provider that offers this picker's choices, given the field's `picker`; absent:
   * the provider named by the field's kind ("entity", "owner").
   */
  optionsProvider?: string;
  /** For repoUrl fields. */
  repo?: RepoUrlOptions;
  /** The template's custom field extension (`ui:field`), kept so a surface can say what it stands for. */
  extension?: string;
  /** How the value shows on a review page: `show: false` leaves it out, `mask` replaces it. */
  review?: { show?: boolean; mask?: string };
  /**
   * Ask this field only when the values so far satisfy this JSON Schema (draft-07): fields that appear
   * through `dependencies`, `if`/`then`/`else` or `oneOf` branches. Absent: always asked.
   */
  visibleWhen?: Record<string, unknown>;
}

export interface FormPage {
  title: string;
  description?: string;
  fields: FormField[];
  /** Backstage's page-level `backstage:permissions`, kept for the review page and permission checks. */
  permissions?: { tags?: string[] };
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
