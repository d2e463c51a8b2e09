import type { JsonSchema } from "../actions/action.ts";
import type { TemplateSpec } from "../template/template-spec.ts";

/** One page of a template's form: a JSON Schema object, as Backstage's parameter-schema endpoint gives it. */
export interface ParameterPage {
  index: number;
  title: string;
  description?: string;
  schema: JsonSchema;
}

/** `spec.parameters` (one schema or a list of them) as pages; a template without parameters has none. */
export function parameterPages(spec: Pick<TemplateSpec, "parameters">): ParameterPage[] {
  const raw = spec.parameters;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return list.map((schema, index) => ({
    index,
    title: typeof schema.title === "string" && schema.title.trim() ? schema.title : `Page ${index + 1}`,
    ...(typeof schema.description === "string" ? { description: schema.description } : {}),
    schema,
  }));
}

/** The `ui:*` keys of a property (Backstage inlines the uiSchema into the JSON Schema). */
export interface UiOptions {
  field?: string;
  widget?: string;
  options: Record<string, unknown>;
  help?: string;
  placeholder?: string;
  review?: { show?: boolean; mask?: string };
}

export function uiOf(property: JsonSchema): UiOptions {
  const options = property["ui:options"];
  const backstage = property["ui:backstage"];
  const review =
    backstage && typeof backstage === "object" ? (backstage as Record<string, unknown>).review : undefined;
  return {
    ...(typeof property["ui:field"] === "string" ? { field: property["ui:field"] } : {}),
    ...(typeof property["ui:widget"] === "string" ? { widget: property["ui:widget"] } : {}),
    options: options && typeof options === "object" ? (options as Record<string, unknown>) : {},
    ...(typeof property["ui:help"] === "string" ? { help: property["ui:help"] } : {}),
    ...(typeof property["ui:placeholder"] === "string" ? { placeholder: property["ui:placeholder"] } : {}),
    ...(review && typeof review === "object" ? { review: review as { show?: boolean; mask?: string } } : {}),
  };
}

/** A value is a secret when the form collects it through the Secret field or a password widget. */
export function isSecretProperty(property: JsonSchema): boolean {
  const ui = uiOf(property);
  return ui.field === "Secret" || ui.widget === "password";
}
