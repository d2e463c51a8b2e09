import type { FieldErrors, Form, FormField, FormPage, FormValues } from "../../message/form.ts";
import { context, escapeText, reply, section, type Reply } from "../../message/reply.ts";
import type { CommandContext, FormDefinition } from "../../plugins/api.ts";
import { ScaffolderInputError } from "../actions/action.ts";
import { conditionHolds } from "../parameters/check-parameters.ts";
import { formValuesToParameters } from "../parameters/coerce-values.ts";
import { pageErrors } from "../parameters/form-errors.ts";
import { templateForm } from "../parameters/form-model.ts";
import { parameterPages, type ParameterPage } from "../parameters/parameter-pages.ts";
import type { Scaffolder } from "../scaffolder.ts";
import { SHORT_ID, type ScaffoldTasks } from "../tasks/scaffold-tasks.ts";
import type { LoadedTemplate } from "../template/template-spec.ts";
import { CATALOG_PICKER } from "./catalog-picker.ts";
import { actorOf } from "./chat-actor.ts";
import type { ProgressReporter } from "./progress-reporter.ts";

/** The registered form that runs a template: opened with the template's name as its argument. */
export const SCAFFOLD_FORM = "scaffold";

const REVIEW_TITLE = "Review";
const DEFAULT_MASK = "******";

export interface ScaffoldFormDeps {
  scaffolder: Scaffolder;
  tasks: ScaffoldTasks;
  progress: ProgressReporter;
  /** Renders a task's progress, for a conversation the progress message could not be posted into. */
  renderProgress(taskId: string): Promise<Reply | undefined>;
}

/**
 * A template's form in chat: one page a parameters page (checked with the template's own JSON Schema through
 * the engine, errors on their fields), then a review page of what was typed (secrets masked, fields hidden from
 * review left out), then Run: the task is queued and its progress posted where the form was opened.
 */
export function scaffoldForm(deps: ScaffoldFormDeps): FormDefinition {
  const { scaffolder, tasks } = deps;
  /**
   * Templates as loaded for the catalog entity they came from: each page's check and the submit use the same
   * loaded template, so its parameter schemas are compiled once (ajv keeps compiled schemas by object), not on
   * every page. A re-imported template is a new entity, and is loaded again.
   */
  const loaded = new WeakMap<object, Promise<LoadedTemplate>>();
  const templateFor = (form: Form): Promise<LoadedTemplate> => {
    const ref = templateRef(form);
    const entity = scaffolder.entity(ref);
    if (!entity) return scaffolder.catalogTemplate(ref);
    let found = loaded.get(entity);
    if (!found) {
      found = scaffolder.catalogTemplate(ref);
      loaded.set(entity, found);
      found.catch(() => loaded.delete(entity));
    }
    return found;
  };
  return {
    id: SCAFFOLD_FORM,

    async open(ctx) {
      const template = await scaffolder.catalogTemplate(ctx.args);
      const permission = tasks.mayRun(template, actorOf(ctx.user));
      if (!permission.allowed) throw new ScaffolderInputError(permission.reason);
      return chatForm(template);
    },

    async validate(form, pageIndex, values) {
      if (pageIndex >= form.pages.length - 1) return {};
      const pages = shownPages(await templateFor(form));
      const page = pages[pageIndex];
      if (!page) return { _form: "This template changed since the form was opened. Start again." };
      const errors: FieldErrors = pageErrors(pages, page.index, values, {
        exists: (ref) => scaffolder.entity(ref) !== undefined,
      });
      // Only this page's fields: the rest are asked on their own pages.
      const names = new Set(form.pages[pageIndex]!.fields.map((field) => field.name));
      return Object.fromEntries(Object.entries(errors).filter(([name]) => names.has(name)));
    },

    page(form, pageIndex, values) {
      return pageIndex === form.pages.length - 1 ? reviewPage(form, values) : undefined;
    },

    async submit(form, values, ctx) {
      const template = await templateFor(form);
      const parameters = formValuesToParameters(shownPages(template), values);
      const result = await tasks.submit(template, { values: parameters, actor: actorOf(ctx.user) });
      if (result.status === "refused") return aside(result.reason);
      if (result.status === "invalid") {
        const problems = result.check.problems.map((p) => `${p.pageTitle} › ${p.field}: ${p.message}`);
        return aside(`${form.title} was not run: ${problems.join(" ")}`);
      }
      return queued(deps, result.taskId, template, ctx);
    },
  };
}

/** The template's Form with a review page, its pickers pointed at the catalog picker. */
export function chatForm(template: LoadedTemplate): Form {
  const form = templateForm(template, SCAFFOLD_FORM);
  for (const page of form.pages) {
    for (const field of page.fields) if (field.picker) field.optionsProvider = CATALOG_PICKER;
  }
  const runLabel = form.submitLabel ?? "Create";
  form.pages.push({ title: REVIEW_TITLE, description: "", fields: [] });
  form.submitLabel = runLabel;
  return form;
}

async function queued(
  deps: ScaffoldFormDeps,
  taskId: string,
  template: LoadedTemplate,
  ctx: CommandContext,
): Promise<Reply> {
  const title = template.entity.metadata.title ?? template.entity.metadata.name;
  const short = taskId.slice(0, SHORT_ID);
  const address = ctx.conversation.address;
  const posted = address ? await deps.progress.start(taskId, address) : undefined;
  if (posted) {
    return aside(`${title} is queued as task ${short}; its progress is in the conversation.`);
  }
  // No message could be posted there (a channel the bot is not in): the answer itself shows the progress,
  // and `scaffold log` follows it.
  const shown = await deps.renderProgress(taskId);
  return (
    shown ??
    reply(
      `${title} is queued as task ${short}.`,
      section(`${escapeText(title)} is queued as task \`${short}\`.`),
    )
  );
}

/** What the form's pages stand for: the template's parameter pages Callboard shows (none behind a flag). */
function shownPages(template: LoadedTemplate): ParameterPage[] {
  return parameterPages(template.entity.spec).filter((page) => !page.schema["backstage:featureFlag"]);
}

function templateRef(form: Form): string {
  if (!form.state)
    throw new ScaffolderInputError("This form does not say which template it runs. Start again.");
  return form.state;
}

/** Everything typed, page by page, as the person should check it before Run. */
function reviewPage(form: Form, values: FormValues): FormPage {
  const lines: string[] = [];
  const asked = form.pages.slice(0, -1);
  for (const page of asked) {
    const shown = page.fields.filter((field) => showsOnReview(field, values));
    if (shown.length === 0) continue;
    if (asked.length > 1) lines.push(`**${escapeText(page.title)}**`);
    for (const field of shown)
      lines.push(`${escapeText(field.label)}: ${reviewValue(field, values[field.name])}`);
  }
  return {
    title: REVIEW_TITLE,
    description:
      lines.length > 0
        ? `Check what will be used, then press ${form.submitLabel ?? "Create"}. Back changes an answer.\n\n${lines.join("\n")}`
        : `This template asks nothing. Press ${form.submitLabel ?? "Create"} to run it.`,
    fields: [],
  };
}

function showsOnReview(field: FormField, values: FormValues): boolean {
  if (field.kind === "hidden" || field.review?.show === false) return false;
  return conditionHolds(field.visibleWhen, values);
}

function reviewValue(field: FormField, value: unknown): string {
  if (field.secret || field.kind === "secret") return field.review?.mask ?? DEFAULT_MASK;
  if (value === undefined || value === null || value === "") return "_(none)_";
  if (field.review?.mask) return escapeText(field.review.mask);
  const label = (v: unknown) => field.options?.find((o) => o.value === String(v))?.label ?? String(v);
  if (Array.isArray(value))
    return value.length > 0 ? value.map((v) => escapeText(label(v))).join(", ") : "_(none)_";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "object") return `\`${JSON.stringify(value).replace(/`/g, "'").slice(0, 300)}\``;
  return escapeText(label(value).slice(0, 500));
}

/** An answer only the person who asked needs. */
function aside(text: string): Reply {
  return {
    ...reply(text, section(escapeText(text)), context("`scaffold tasks` lists your tasks.")),
    ephemeral: true,
  };
}
