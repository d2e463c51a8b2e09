import type { Entity } from "../../catalog/model/entity.ts";
import { renderValue, type TemplateOptions } from "../template-language/index.ts";
import type { LoadedTemplate } from "../template/template-spec.ts";

/** What `${{ }}` in a template's YAML can read, as in Backstage's NunjucksWorkflowRunner. */
export interface TemplateContext {
  parameters: Record<string, unknown>;
  steps: Record<string, { output: Record<string, unknown> }>;
  user: { entity?: Entity; ref?: string };
  context: { task: { id: string } };
  /** Backstage's `scaffolder.defaultEnvironment`; Callboard has none configured, so both are empty. */
  environment: { parameters: Record<string, unknown>; secrets: Record<string, string> };
  /** Only while a step's input is rendered. */
  secrets?: Record<string, string>;
  each?: { key: string; value: unknown };
}

/** Filters and globals a plugin or the runner adds to the template language for a run. */
export interface RenderExtensions {
  filters?: TemplateOptions["filters"];
  globals?: TemplateOptions["globals"];
}

/**
 * Renders one field of the template's YAML (strings anywhere inside it; keys are not rendered), as
 * Backstage does. Each string is rendered on its own so an error names the template file, the YAML line
 * of that very value and its path, followed by the line and column inside the expression.
 */
export function renderField(
  value: unknown,
  context: TemplateContext,
  template: LoadedTemplate,
  path: Array<string | number>,
  extensions: RenderExtensions = {},
): unknown {
  if (Array.isArray(value))
    return value.map((item, i) => renderField(item, context, template, [...path, i], extensions));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const rendered = renderField(item, context, template, [...path, key], extensions);
      if (rendered !== undefined) out[key] = rendered;
    }
    return out;
  }
  if (typeof value !== "string") return value;
  const file = template.location.replace(/^file:/, "");
  const line = template.lineOf ? `line ${template.lineOf(path)}, ` : "";
  return renderValue(value, context as unknown as Record<string, unknown>, {
    file: `${file} (${line}${fieldName(path)})`,
    ...(extensions.filters ? { filters: extensions.filters } : {}),
    ...(extensions.globals ? { globals: extensions.globals } : {}),
  });
}

function fieldName(path: Array<string | number>): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** Rendered values that differ when secrets are left out: values made from secrets, to be redacted. */
export function secretDerived(withSecrets: unknown, withoutSecrets: unknown): string[] {
  if (typeof withSecrets === "string") return withSecrets !== withoutSecrets ? [withSecrets] : [];
  if (Array.isArray(withSecrets)) {
    const other = Array.isArray(withoutSecrets) ? withoutSecrets : [];
    return withSecrets.flatMap((v, i) => secretDerived(v, other[i]));
  }
  if (withSecrets && typeof withSecrets === "object") {
    const other = (withoutSecrets && typeof withoutSecrets === "object" ? withoutSecrets : {}) as Record<
      string,
      unknown
    >;
    return Object.entries(withSecrets).flatMap(([k, v]) => secretDerived(v, other[k]));
  }
  return [];
}
