import type { Logger } from "pino";
import type { FieldErrors, Form, FormField, FormValues } from "../../message/form.ts";
import { reply, type Reply } from "../../message/reply.ts";
import type { ChatUser, CommandContext, Conversation, FormDefinition } from "../../plugins/api.ts";
import type { FormSessionStore } from "../../state/ports.ts";
import type { SecretBox } from "../../state/secret-box.ts";
import { decodePageValues, missingRequired, type RawValues } from "./form-values.ts";

/**
 * Forms in progress, the same on every surface: the core keeps the form, the page a person is on and what they
 * typed; adapters only render one page and decode what the platform sent back. Paging, Back, per-page
 * validation, the double-submit guard, expiry and cancel all live here, once.
 */

/** Where a form was opened, so its result goes back to the same conversation. */
export interface FormOrigin {
  /** The command line that opened the form (a button opening it has none). */
  text: string;
  user: ChatUser;
  conversation: Conversation;
}

interface SessionState {
  form: Form;
  page: number;
  /** Values of every field but secret ones. */
  values: FormValues;
  /** Secret fields' values, sealed: the database never holds them in clear. */
  sealed?: string;
  origin: FormOrigin;
  status: "open" | "submitting" | "submitted" | "cancelled";
}

/** What the person sees next. */
export type FormStep =
  /** Show `page` of `form`, filled with `values` (secret fields are never filled back), with `errors`. */
  | { kind: "page"; session: string; form: Form; page: number; values: FormValues; errors: FieldErrors }
  /** The form was submitted; `reply` is its result, for the conversation it came from. */
  | { kind: "submitted"; reply: Reply; origin: FormOrigin }
  /** Nothing more to show: expired, cancelled, already submitted, or its definition is gone. */
  | { kind: "closed"; reply: Reply };

export type FormIntent = "next" | "back" | "cancel";

export interface FormSessionsOptions {
  store: FormSessionStore;
  secrets: SecretBox;
  /** The registered definition of a form id (plugins register them). */
  definition: (id: string) => FormDefinition | undefined;
  /** The command context a definition's submit gets. */
  contextFor: (origin: FormOrigin, user: ChatUser) => Promise<CommandContext>;
  log: Logger;
  /** How long an untouched form stays open. Default one day: Slack views and Teams dialogs close well before. */
  ttlMs?: number;
  now?: () => Date;
}

const DEFAULT_TTL_MS = 24 * 60 * 60 * 1000;

export const EXPIRED = "This form has expired or was already closed. Run the command again to start over.";

export class FormSessions {
  private readonly ttlMs: number;
  private readonly now: () => Date;

  constructor(private readonly options: FormSessionsOptions) {
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.now = options.now ?? (() => new Date());
  }

  /** Start a session for `form` (as a definition opened it) and show its first page. */
  async open(form: Form, origin: FormOrigin): Promise<FormStep> {
    const state: SessionState = { form, page: 0, values: defaults(form), origin, status: "open" };
    const id = await this.options.store.create(JSON.stringify(state), this.expiry());
    return this.pageStep(id, state, {});
  }

  /** Open the registered form `formId` (a button's form), as its definition builds it for this person. */
  async openRegistered(formId: string, args: string, origin: FormOrigin): Promise<FormStep> {
    const definition = this.options.definition(formId);
    if (!definition) return closed(`The form "${formId}" is no longer available.`);
    const form = await definition.open({
      ...(await this.options.contextFor(origin, origin.user)),
      args,
    });
    return this.open(form, origin);
  }

  /** The page a session is on, as stored (a platform that fetches the dialog separately asks for it). */
  async current(id: string): Promise<FormStep> {
    const loaded = await this.load(id);
    if (!loaded) return closed(EXPIRED);
    return loaded.state.status === "open" ? this.pageStep(id, loaded.state, {}) : closed(EXPIRED);
  }

  /**
   * The person answered `page` (as the platform says they did) and pressed Next/Submit, Back or Cancel.
   * Values of a page are kept whichever button was pressed, so Back and Next again lose nothing.
   */
  async step(
    id: string,
    page: number,
    raw: RawValues,
    intent: FormIntent,
    user: ChatUser,
  ): Promise<FormStep> {
    const loaded = await this.load(id);
    if (!loaded || loaded.state.status !== "open") {
      return closed(loaded?.state.status === "submitted" ? "This form was already submitted." : EXPIRED);
    }
    const { state, version } = loaded;
    const definition = this.options.definition(state.form.id);
    if (!definition) return closed(`The form "${state.form.id}" is no longer available. Start again.`);
    if (intent === "cancel") {
      await this.save(id, version, { ...state, status: "cancelled" });
      return closed(`${state.form.title}: cancelled.`);
    }
    // A stale page (a second click on an old view, a replayed dialog) changes nothing: it gets the page the
    // session is on.
    if (page !== state.page) return this.pageStep(id, state, {});
    const onPage = state.page;
    const fields = state.form.pages[onPage]!;
    const decoded = decodePageValues(fields, raw);
    const merged = this.merge(state, onPage, decoded.values);

    if (intent === "back") {
      const previous = { ...merged, page: Math.max(0, onPage - 1) };
      if (!(await this.save(id, version, previous))) return this.current(id);
      return this.pageStep(id, previous, {});
    }

    const pageValues = this.pageValues(merged, onPage);
    let errors: FieldErrors = { ...decoded.errors, ...missingRequired(fields, pageValues) };
    if (Object.keys(errors).length === 0) {
      // Everything typed so far: a page's rules may depend on earlier pages' answers, as Backstage's do.
      errors = await definition.validate(state.form, onPage, this.allValues(merged));
    }
    if (Object.keys(errors).length > 0) {
      if (!(await this.save(id, version, merged))) return this.current(id);
      return this.pageStep(id, merged, errors);
    }
    if (onPage < state.form.pages.length - 1) {
      const next = { ...merged, page: onPage + 1 };
      if (!(await this.save(id, version, next))) return this.current(id);
      return this.pageStep(id, next, {});
    }

    // The last page: exactly one request gets to submit (a double click and a second replica lose the swap).
    if (!(await this.save(id, version, { ...merged, status: "submitting" }))) {
      return closed("This form was already submitted.");
    }
    const values = this.allValues(merged);
    let result: Reply;
    try {
      result = await definition.submit(state.form, values, await this.options.contextFor(state.origin, user));
    } catch (error) {
      // Back to open, so the person can press Submit again once the cause is fixed.
      await this.saveLatest(id, { ...merged, status: "open" });
      throw error;
    }
    await this.saveLatest(id, { ...merged, status: "submitted", values: {}, sealed: undefined });
    return { kind: "submitted", reply: result, origin: state.origin };
  }

  private async load(id: string): Promise<{ state: SessionState; version: number } | undefined> {
    if (typeof id !== "string" || id.length === 0 || id.length > 200) return undefined;
    const stored = await this.options.store.get(id);
    if (!stored || stored.expiresAt.getTime() <= this.now().getTime()) return undefined;
    try {
      const state = JSON.parse(stored.state) as SessionState;
      return Array.isArray(state.form?.pages) ? { state, version: stored.version } : undefined;
    } catch {
      return undefined;
    }
  }

  private save(id: string, version: number, state: SessionState): Promise<boolean> {
    return this.options.store.replace(id, version, JSON.stringify(state));
  }

  /** After a submit this request owns the session; write over whatever version it is at. */
  private async saveLatest(id: string, state: SessionState): Promise<void> {
    const stored = await this.options.store.get(id);
    if (stored) await this.options.store.replace(id, stored.version, JSON.stringify(state));
  }

  private expiry(): Date {
    return new Date(this.now().getTime() + this.ttlMs);
  }

  /** `state` with page `page`'s fields replaced by `entered`, secret ones sealed. */
  private merge(state: SessionState, page: number, entered: FormValues): SessionState {
    const fields = state.form.pages[page]!.fields;
    const values = { ...state.values };
    const secrets = this.openSecrets(state);
    for (const field of fields) {
      // Never shown, so nothing is ever entered for it: a hidden field keeps its default.
      if (field.kind === "hidden") continue;
      delete values[field.name];
      if (!isSecret(field)) {
        if (entered[field.name] !== undefined) values[field.name] = entered[field.name];
        continue;
      }
      // A secret left empty on a page shown again keeps what was typed before (it is never shown back).
      if (entered[field.name] !== undefined) secrets[field.name] = entered[field.name];
    }
    const sealed =
      Object.keys(secrets).length > 0 ? this.options.secrets.seal(JSON.stringify(secrets)) : undefined;
    return { ...state, values, sealed };
  }

  private openSecrets(state: SessionState): FormValues {
    if (!state.sealed) return {};
    try {
      return JSON.parse(this.options.secrets.open(state.sealed)) as FormValues;
    } catch (error) {
      // Sealed under another key (a replica with a different CALLBOARD_SECRET_KEY): ask for them again.
      this.options.log.warn({ err: error, form: state.form.id }, "form secrets could not be opened");
      return {};
    }
  }

  private pageValues(state: SessionState, page: number): FormValues {
    const all = this.allValues(state);
    const out: FormValues = {};
    for (const field of state.form.pages[page]!.fields) {
      if (all[field.name] !== undefined) out[field.name] = all[field.name];
    }
    return out;
  }

  private allValues(state: SessionState): FormValues {
    return { ...state.values, ...this.openSecrets(state) };
  }

  private pageStep(id: string, state: SessionState, errors: FieldErrors): FormStep {
    const built = this.options.definition(state.form.id)?.page?.(state.form, state.page, state.values);
    // A page built from the values (a review page) is shown, never stored: Back and Next rebuild it.
    const form = built
      ? { ...state.form, pages: state.form.pages.map((page, i) => (i === state.page ? built : page)) }
      : state.form;
    return { kind: "page", session: id, form, page: state.page, values: state.values, errors };
  }

  /**
   * A field of a session's form, for its picker's type-ahead (Slack block_suggestion, Teams Data.Query): the
   * adapters know the session, the page and the field's name, and the field says what it offers.
   */
  async field(id: string, page: number, name: string): Promise<FormField | undefined> {
    const loaded = await this.load(id);
    if (!loaded || loaded.state.status !== "open") return undefined;
    return loaded.state.form.pages[page]?.fields.find((field) => field.name === name);
  }
}

function closed(text: string): FormStep {
  return { kind: "closed", reply: { ...reply(text), ephemeral: true } };
}

/** Defaults declared on the form's fields, so a page shows them and Back returns to them. */
function defaults(form: Form): FormValues {
  const values: FormValues = {};
  for (const page of form.pages) {
    for (const field of page.fields) {
      if (field.default !== undefined && !isSecret(field)) values[field.name] = field.default;
    }
  }
  return values;
}

/** A field whose value is sealed at rest and never shown back: marked secret, or of the secret kind. */
function isSecret(field: FormField): boolean {
  return field.secret === true || field.kind === "secret";
}
