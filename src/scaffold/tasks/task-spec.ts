import { valueAt } from "../parameters/check-parameters.ts";
import { isSecretProperty, parameterPages } from "../parameters/parameter-pages.ts";
import { walkProperties } from "../parameters/walk-properties.ts";
import type { LoadedTemplate, TemplateEntity } from "../template/template-spec.ts";

/**
 * What a queued task runs, stored as JSON text with the task: the template as it was when the task was asked
 * for (what the person reviewed is what runs, even if the file changes before a resume), the checked values
 * with every secret field taken out, and who asked. Nothing in it is secret: secret values travel sealed,
 * separately (TaskSecrets), and are deleted when the task ends.
 */
export interface TaskSpec {
  version: 1;
  template: { ref: string; location: string; entity: TemplateEntity };
  values: Record<string, unknown>;
  /** Where secret-field values (Secret fields and password widgets) given for this task go back. */
  secretFields: string[][];
  /** Names of secrets given besides the form's fields (a token an action needs). */
  extraSecrets: string[];
  /** The catalog User who asked, for `${{ user.ref }}` and `${{ user.entity }}`. */
  userRef?: string;
  dryRun: boolean;
}

/** The secret part of a task, sealed at rest. */
export interface TaskSecrets {
  /** Secret-field values by path. */
  fields: Array<[string[], string]>;
  extra: Record<string, string>;
}

/** Splits checked values into the stored spec and the secrets to seal. */
export function taskSpecOf(
  template: LoadedTemplate,
  values: Record<string, unknown>,
  options: { extraSecrets?: Record<string, string>; userRef?: string; dryRun?: boolean },
): { spec: TaskSpec; secrets: TaskSecrets } {
  const open = structuredClone(values);
  const fields: Array<[string[], string]> = [];
  for (const page of parameterPages(template.entity.spec)) {
    for (const entry of walkProperties(page.schema)) {
      if (!isSecretProperty(entry.schema)) continue;
      const value = valueAt(open, entry.path);
      if (value === undefined || value === null) continue;
      fields.push([entry.path, String(value)]);
      removeAt(open, entry.path);
    }
  }
  const extra = { ...options.extraSecrets };
  return {
    spec: {
      version: 1,
      template: { ref: template.ref, location: template.location, entity: template.entity },
      values: open,
      secretFields: fields.map(([path]) => path),
      extraSecrets: Object.keys(extra),
      ...(options.userRef ? { userRef: options.userRef } : {}),
      dryRun: options.dryRun === true,
    },
    secrets: { fields, extra },
  };
}

/** The values as they were checked, secret fields put back. */
export function valuesWithSecrets(spec: TaskSpec, secrets: TaskSecrets): Record<string, unknown> {
  const values = structuredClone(spec.values);
  for (const [path, value] of secrets.fields) setAt(values, path, value);
  return values;
}

/** The values for people to read (the audit log, a review): every secret field shown as `******`. */
export function maskedValues(spec: TaskSpec): Record<string, unknown> {
  const values = structuredClone(spec.values);
  for (const path of spec.secretFields) setAt(values, path, "******");
  return values;
}

/** The secrets a task needs again for a retry (they were deleted when it ended), by field path or name. */
export function secretNames(spec: TaskSpec): string[] {
  return [...spec.secretFields.map((path) => path.join(".")), ...spec.extraSecrets];
}

export function parseTaskSpec(text: string): TaskSpec {
  const spec = JSON.parse(text) as TaskSpec;
  if (spec?.version !== 1 || !spec.template?.entity) {
    throw new Error("The task was stored by a different version of Callboard and cannot be run by this one.");
  }
  return spec;
}

export function parseTaskSecrets(text: string | null): TaskSecrets {
  if (text === null) return { fields: [], extra: {} };
  return JSON.parse(text) as TaskSecrets;
}

function removeAt(values: Record<string, unknown>, path: string[]): void {
  const parent = valueAt(values, path.slice(0, -1));
  if (parent && typeof parent === "object")
    delete (parent as Record<string, unknown>)[path[path.length - 1]!];
}

const UNSAFE = new Set(["__proto__", "constructor", "prototype"]);

function setAt(values: Record<string, unknown>, path: string[], value: unknown): void {
  if (path.some((part) => UNSAFE.has(part))) return;
  let current = values;
  for (const part of path.slice(0, -1)) {
    const next = Object.hasOwn(current, part) ? current[part] : undefined;
    if (!next || typeof next !== "object") current[part] = {};
    current = current[part] as Record<string, unknown>;
  }
  current[path[path.length - 1]!] = value;
}
