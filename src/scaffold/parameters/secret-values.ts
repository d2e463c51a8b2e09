import { isSecretProperty, uiOf, type ParameterPage } from "./parameter-pages.ts";
import { valueAt } from "./check-parameters.ts";
import { walkProperties } from "./walk-properties.ts";

export interface SplitValues {
  parameters: Record<string, unknown>;
  /** Values of `ui:field: Secret` fields, read in templates as `${{ secrets.<name> }}`, as in Backstage. */
  secrets: Record<string, string>;
  /** Every secret value, password fields included: replaced by *** in logs and reports. */
  redact: string[];
}

/**
 * Moves Secret-field values out of the parameters (Backstage's Secret field keeps them in the task's
 * secrets only) and collects every masked value so nothing prints it.
 */
export function splitSecretValues(pages: ParameterPage[], values: Record<string, unknown>): SplitValues {
  const parameters = structuredClone(values);
  const secrets: Record<string, string> = {};
  const redact: string[] = [];
  for (const page of pages) {
    for (const entry of walkProperties(page.schema)) {
      if (!isSecretProperty(entry.schema)) continue;
      const value = valueAt(parameters, entry.path);
      if (value === undefined || value === null) continue;
      redact.push(String(value));
      if (uiOf(entry.schema).field === "Secret") {
        secrets[entry.path[entry.path.length - 1]!] = String(value);
        removeAt(parameters, entry.path);
      }
    }
  }
  return { parameters, secrets, redact };
}

function removeAt(values: Record<string, unknown>, path: string[]): void {
  let current: unknown = values;
  for (const part of path.slice(0, -1)) {
    if (!current || typeof current !== "object") return;
    current = (current as Record<string, unknown>)[part];
  }
  if (current && typeof current === "object")
    delete (current as Record<string, unknown>)[path[path.length - 1]!];
}

/** A copy of the values with every secret field's value shown as `******`, for printing. */
export function maskSecretValues(
  pages: ParameterPage[],
  values: Record<string, unknown>,
): Record<string, unknown> {
  const masked = structuredClone(values);
  for (const page of pages) {
    for (const entry of walkProperties(page.schema)) {
      if (!isSecretProperty(entry.schema) || valueAt(masked, entry.path) === undefined) continue;
      let current = masked;
      for (const part of entry.path.slice(0, -1)) current = current[part] as Record<string, unknown>;
      current[entry.path[entry.path.length - 1]!] = "******";
    }
  }
  return masked;
}
