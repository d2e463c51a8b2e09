import { existsSync, readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { Entity } from "../../catalog/model/entity.ts";
import { ScaffolderInputError } from "../actions/action.ts";
import { parameterPages } from "../parameters/parameter-pages.ts";
import { maskSecretValues } from "../parameters/secret-values.ts";
import type { Scaffolder } from "../scaffolder.ts";
import { formatHeading, formatProblems, formatReport, formatUnknownValues } from "./format-report.ts";

export interface ScaffoldCliRequest {
  /** A template.yaml path, or the name or ref of a Template entity in the catalog. */
  template: string;
  valuesFile?: string;
  secretsFile?: string;
  dryRun: boolean;
  user?: { entity?: Entity; ref?: string };
  /** Where the run's outcome is audited (who ran which template with which values, secrets masked). */
  audit?: (entry: { action: string; detail: string }) => Promise<unknown>;
}

export const SCAFFOLD_USAGE = `  scaffold <template.yaml|name> [--values values.yaml] [--secrets secrets.yaml] [--dry-run]
                             run a software template; --dry-run shows each step, the files and the output
                             without publishing anything`;

/**
 * `callboard scaffold`: runs a template file the operator chose (or a catalog template from a trusted
 * location) with values from a YAML or JSON file, printing each step as it went. Exit code 0 when the
 * task completed, 1 when the values or the task failed.
 *
 * It runs in this process rather than through the task queue: the operator watches it, Ctrl-C stops it for
 * good (a queued task would be resumed by a server sharing the database), and it needs no server running.
 * The queue's durability is for people in chat, who do not wait by a terminal.
 */
export async function runScaffoldCli(
  request: ScaffoldCliRequest,
  scaffolder: Scaffolder,
  write: (text: string) => void,
): Promise<number> {
  const template = isFile(request.template)
    ? await scaffolder.templateFile(request.template)
    : await scaffolder.catalogTemplate(request.template);
  const values = request.valuesFile ? readMapping(request.valuesFile, "values") : {};
  const secrets = request.secretsFile ? readSecrets(request.secretsFile) : {};
  const pages = parameterPages(template.entity.spec);
  write(`${formatHeading(template, maskSecretValues(pages, values), request.dryRun)}\n`);
  const check = scaffolder.check(template, values);
  const note = formatUnknownValues(check.unknown);
  if (note) write(`${note}\n`);
  if (check.problems.length > 0) {
    write(`${formatProblems(check)}\n`);
    return 1;
  }
  const report = await scaffolder.run(template, {
    values,
    secrets,
    dryRun: request.dryRun,
    ...(request.user ? { user: request.user } : {}),
  });
  if (report.status === "invalid") {
    write(`${formatProblems(report.check)}\n`);
    return 1;
  }
  write(`${formatReport(report)}\n`);
  await request.audit?.({
    action: `scaffold.${report.status}`,
    detail: JSON.stringify({
      task: report.taskId,
      template: template.ref,
      parameters: maskSecretValues(pages, check.values),
      dryRun: request.dryRun,
      outcome: report.status,
      ...(report.error ? { reason: report.error } : {}),
      via: "cli",
    }),
  });
  return report.status === "completed" ? 0 : 1;
}

function isFile(target: string): boolean {
  return /\.ya?ml$/i.test(target) || target.includes("/") || existsSync(target);
}

function readMapping(path: string, what: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new ScaffolderInputError(`${path}: cannot read the ${what} file.`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    throw new ScaffolderInputError(`${path}: not valid YAML or JSON: ${(error as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ScaffolderInputError(`${path}: the ${what} file must hold a mapping of names to values.`);
  }
  return parsed as Record<string, unknown>;
}

function readSecrets(path: string): Record<string, string> {
  const raw = readMapping(path, "secrets");
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== "string" && typeof value !== "number") {
      throw new ScaffolderInputError(`${path}: secret "${key}" must be text.`);
    }
    out[key] = String(value);
  }
  return out;
}
