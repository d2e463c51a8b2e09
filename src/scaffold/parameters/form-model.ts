import type {
  EntityPickerOptions,
  FieldKind,
  Form,
  FormField,
  FormPage,
  Option,
  RepoUrlOptions,
} from "../../message/form.ts";
import type { JsonSchema } from "../actions/action.ts";
import type { LoadedTemplate } from "../template/template-spec.ts";
import { parameterPages, uiOf, type ParameterPage, type UiOptions } from "./parameter-pages.ts";
import { walkProperties, type PropertyEntry } from "./walk-properties.ts";

const SECRET_MASK = "******";

/**
 * A template's parameters as the platform-neutral Form: one page a parameters page, one field a property
 * (nested objects flattened to `parent.child`), kinds chosen from `ui:field`, `ui:widget` and the JSON type.
 * Fields behind `backstage:featureFlag` are left out: Callboard has no feature flags, so none is on.
 */
export function templateForm(template: LoadedTemplate, formId: string): Form {
  const { metadata, spec } = template.entity;
  const pages = parameterPages(spec)
    .filter((page) => !page.schema["backstage:featureFlag"])
    .map(formPage);
  return {
    id: formId,
    title: metadata.title ?? metadata.name,
    submitLabel: spec.presentation?.buttonLabels?.createButtonText ?? "Create",
    pages,
    state: template.ref,
  };
}

function formPage(page: ParameterPage): FormPage {
  const permissions = page.schema["backstage:permissions"] as { tags?: unknown } | undefined;
  return {
    title: page.title,
    ...(page.description ? { description: page.description } : {}),
    fields: walkProperties(page.schema)
      .filter((entry) => !entry.schema["backstage:featureFlag"])
      .map(formField),
    ...(permissions && Array.isArray(permissions.tags)
      ? { permissions: { tags: permissions.tags.map(String) } }
      : {}),
  };
}

export function formField(entry: PropertyEntry): FormField {
  const { schema } = entry;
  const ui = uiOf(schema);
  const name = entry.path.join(".");
  const last = entry.path[entry.path.length - 1]!;
  const kind = kindOf(schema, ui);
  const options = optionsOf(schema);
  const description = [schema.description, ui.help]
    .filter((t) => typeof t === "string" && t.trim())
    .join("\n");
  const field: FormField = {
    name,
    label: typeof schema.title === "string" && schema.title.trim() ? schema.title : humanize(last),
    kind,
    ...(description ? { description } : {}),
    ...(entry.required ? { required: true } : {}),
    ...(ui.placeholder ? { placeholder: ui.placeholder } : {}),
    ...(schema.default !== undefined ? { default: schema.default } : {}),
    ...(options.length > 0 && ["select", "multiselect", "radio"].includes(kind) ? { options } : {}),
    ...(ui.field ? { extension: ui.field } : {}),
    ...(entry.visibleWhen ? { visibleWhen: entry.visibleWhen } : {}),
  };
  if (kind === "secret") {
    field.secret = true;
    field.review = {
      mask: ui.review?.mask ?? SECRET_MASK,
      ...(ui.review?.show === false ? { show: false } : {}),
    };
  } else if (ui.review) {
    field.review = {
      ...(ui.review.show !== undefined ? { show: ui.review.show } : {}),
      ...(ui.review.mask ? { mask: ui.review.mask } : {}),
    };
  }
  if (kind === "entity" || kind === "owner" || kind === "multiEntity") {
    field.picker = pickerOf(ui);
    const kinds = kindsOf(field.picker, ui);
    if (kinds.length > 0) field.entityKinds = kinds;
  }
  if (kind === "repoUrl") field.repo = repoOf(ui.options);
  return field;
}

function kindOf(schema: JsonSchema, ui: UiOptions): FieldKind {
  if (ui.widget === "hidden") return "hidden";
  switch (ui.field) {
    case "Secret":
      return "secret";
    case "EntityPicker":
    case "OwnedEntityPicker":
    case "MyGroupsPicker":
      return "entity";
    case "OwnerPicker":
      return "owner";
    case "MultiEntityPicker":
      return "multiEntity";
    case "EntityTagsPicker":
      return "tags";
    case "RepoUrlPicker":
      return "repoUrl";
    case "EntityNamePicker":
      return "text";
  }
  // An unknown field extension falls back to its JSON type below; its description tells the person what to type.
  if (ui.widget === "password") return "secret";
  const type = typeOf(schema);
  if (type === "boolean") return "boolean";
  if (type === "number" || type === "integer") return "number";
  if (type === "array") {
    const items = (Array.isArray(schema.items) ? schema.items[0] : schema.items) as JsonSchema | undefined;
    if (items && optionsOf(items).length > 0) return "multiselect";
    return items && typeOf(items) !== "string" && typeOf(items) !== undefined ? "textarea" : "tags";
  }
  if (type === "object") return "textarea";
  if (optionsOf(schema).length > 0) return ui.widget === "radio" ? "radio" : "select";
  if (ui.widget === "textarea") return "textarea";
  return "text";
}

function typeOf(schema: JsonSchema): string | undefined {
  const type = schema.type;
  if (Array.isArray(type)) return type.map(String).find((t) => t !== "null");
  return typeof type === "string" ? type : undefined;
}

/** Choices from `enum` (+ `enumNames`), `oneOf`/`anyOf` of `const`+`title`, or the array's `items`. */
export function optionsOf(schema: JsonSchema): Option[] {
  if (typeOf(schema) === "array") {
    const items = (Array.isArray(schema.items) ? schema.items[0] : schema.items) as JsonSchema | undefined;
    return items ? optionsOf(items) : [];
  }
  if (Array.isArray(schema.enum)) {
    const names = Array.isArray(schema.enumNames) ? schema.enumNames : [];
    return schema.enum.map((value, i) => ({ value: String(value), label: String(names[i] ?? value) }));
  }
  const branches = Array.isArray(schema.oneOf)
    ? schema.oneOf
    : Array.isArray(schema.anyOf)
      ? schema.anyOf
      : [];
  const consts = branches.filter((b): b is JsonSchema => !!b && typeof b === "object" && "const" in b);
  if (consts.length > 0 && consts.length === branches.length) {
    return consts.map((b) => ({ value: String(b.const), label: String(b.title ?? b.const) }));
  }
  return [];
}

function pickerOf(ui: UiOptions): EntityPickerOptions {
  const o = ui.options;
  const filter = o.catalogFilter;
  const filters = Array.isArray(filter) ? filter : filter && typeof filter === "object" ? [filter] : [];
  return {
    ...(filters.length > 0 ? { catalogFilter: filters as EntityPickerOptions["catalogFilter"] } : {}),
    ...(typeof o.defaultKind === "string" ? { defaultKind: o.defaultKind } : {}),
    ...(typeof o.defaultNamespace === "string" ? { defaultNamespace: o.defaultNamespace } : {}),
    ...(typeof o.allowArbitraryValues === "boolean" ? { allowArbitraryValues: o.allowArbitraryValues } : {}),
    ...(ui.field === "OwnedEntityPicker" ? { scope: "owned" as const } : {}),
    ...(ui.field === "MyGroupsPicker" ? { scope: "myGroups" as const } : {}),
  };
}

/** The kinds a picker's type-ahead offers: its filters' `kind`, the deprecated `allowedKinds`, or the field's own. */
function kindsOf(picker: EntityPickerOptions, ui: UiOptions): string[] {
  const kinds = new Set<string>();
  for (const filter of picker.catalogFilter ?? []) {
    const kind = filter.kind;
    for (const k of Array.isArray(kind) ? kind : typeof kind === "string" ? [kind] : [])
      kinds.add(k.toLowerCase());
  }
  if (Array.isArray(ui.options.allowedKinds))
    for (const k of ui.options.allowedKinds) kinds.add(String(k).toLowerCase());
  if (kinds.size === 0 && ui.field === "OwnerPicker") return ["group", "user"];
  if (kinds.size === 0 && ui.field === "MyGroupsPicker") return ["group"];
  return [...kinds];
}

function repoOf(options: Record<string, unknown>): RepoUrlOptions {
  const list = (key: string) =>
    Array.isArray(options[key]) ? (options[key] as unknown[]).map(String) : undefined;
  const out: RepoUrlOptions = {};
  for (const key of [
    "allowedHosts",
    "allowedOwners",
    "allowedOrganizations",
    "allowedProjects",
    "allowedRepos",
  ] as const) {
    const values = list(key);
    if (values) out[key] = values;
  }
  return out;
}

function humanize(name: string): string {
  const spaced = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}
