import { readFile, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { entityRef } from "../../catalog/model/ref.ts";
import { validateEntity } from "../../catalog/model/validate.ts";
import { parseDescriptorYaml } from "../../catalog/ingest/descriptor-yaml.ts";
import { ScaffolderInputError } from "../actions/action.ts";
import { TEMPLATE_API_VERSION, type LoadedTemplate, type TemplateEntity } from "./template-spec.ts";

const MAX_TEMPLATE_BYTES = 1024 * 1024;

/** A template file that cannot be run as it is; the message names the file and line. */
export class TemplateLoadError extends ScaffolderInputError {
  override name = "TemplateLoadError";
}

/** `file:/abs/x.yaml`, `file:///abs/x.yaml` or a plain path, as an absolute path. */
export function locationToPath(location: string): string {
  if (location.startsWith("file://")) return fileURLToPath(location);
  if (location.startsWith("file:")) return resolve(location.slice(5));
  return resolve(location);
}

/**
 * Reads a template file the way the catalog reads descriptors (the first Template document wins, later
 * documents may be anything), checks it with Backstage's Template schema, and gives steps without an id
 * or name the ones Backstage gives them (`step-<n>`, the action id).
 */
export async function loadTemplateFile(path: string): Promise<LoadedTemplate> {
  const file = resolve(path);
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    throw new TemplateLoadError(`${path}: no such template file.`);
  }
  if (size > MAX_TEMPLATE_BYTES) {
    throw new TemplateLoadError(
      `${path}: ${size} bytes is larger than the ${MAX_TEMPLATE_BYTES}-byte limit for a template.`,
    );
  }
  const text = await readFile(file, "utf8");
  const documents = parseDescriptorYaml(text, { maxAliases: 100 });
  for (const doc of documents) {
    if (!doc.ok) throw new TemplateLoadError(`${file}:${doc.line}: not valid YAML: ${doc.message}`);
    const value = doc.value as Record<string, unknown> | null;
    if (!value || value.kind !== "Template") continue;
    return checkTemplate(value, `file:${file}`, doc.lineOf);
  }
  throw new TemplateLoadError(
    `${file}: holds no Template (kind: Template, apiVersion: ${TEMPLATE_API_VERSION}).`,
  );
}

/** Checks a Template entity (from a file or the catalog) and fills in step ids and names. */
export function checkTemplate(
  value: Record<string, unknown>,
  location: string,
  lineOf?: (path: Array<string | number>) => number,
): LoadedTemplate {
  const file = locationToPath(location);
  const at = (path: Array<string | number>) => (lineOf ? `${file}:${lineOf(path)}` : file);
  if (value.apiVersion !== TEMPLATE_API_VERSION) {
    throw new TemplateLoadError(
      `${at(["apiVersion"])}: apiVersion ${JSON.stringify(value.apiVersion)} is not supported; templates use ${TEMPLATE_API_VERSION}.`,
    );
  }
  const problems = validateEntity(value);
  if (problems.length > 0) {
    const lines = problems.map((p) => `  ${at(fieldPath(p.field))}: ${p.field || "template"}: ${p.message}`);
    throw new TemplateLoadError(`${file}: the template is not valid:\n${lines.join("\n")}`);
  }
  const entity = structuredClone(value) as unknown as TemplateEntity;
  const seen = new Set<string>();
  entity.spec.steps = entity.spec.steps.map((step, index) => {
    const id = typeof step.id === "string" && step.id !== "" ? step.id : `step-${index + 1}`;
    if (seen.has(id)) {
      throw new TemplateLoadError(
        `${at(["spec", "steps", index, "id"])}: step id "${id}" is used twice; step ids must be unique.`,
      );
    }
    seen.add(id);
    return { ...step, id, name: typeof step.name === "string" && step.name ? step.name : step.action };
  });
  return {
    entity,
    ref: entityRef({ apiVersion: entity.apiVersion, kind: entity.kind, metadata: entity.metadata }),
    location: `file:${file}`,
    baseDir: dirname(file),
    ...(lineOf ? { lineOf } : {}),
  };
}

/** "spec.steps[0].input" as ["spec", "steps", 0, "input"], for the line lookup. */
function fieldPath(field: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const match of field.matchAll(/([^.[\]]+)|\[(\d+)\]|\["([^"]*)"\]/g)) {
    if (match[2] !== undefined) out.push(Number(match[2]));
    else out.push(match[3] ?? match[1]!);
  }
  return out;
}
