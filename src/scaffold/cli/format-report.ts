import { stringify as toYaml } from "yaml";
import type { ParameterCheck } from "../parameters/check-parameters.ts";
import type { TaskReport } from "../runner/workflow-runner.ts";
import type { LoadedTemplate } from "../template/template-spec.ts";
import type { WorkspaceEntry } from "../workspace/list-files.ts";

const indent = (text: string, by: string) =>
  text
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => (line ? `${by}${line}` : by.trimEnd()))
    .join("\n");

export function formatHeading(
  template: LoadedTemplate,
  values: Record<string, unknown>,
  dryRun: boolean,
): string {
  const { metadata } = template.entity;
  const lines = [
    `${dryRun ? "Dry run of" : "Running"} ${metadata.title ?? metadata.name} (${template.ref})`,
    `  from ${template.location.replace(/^file:/, "")}`,
  ];
  if (Object.keys(values).length > 0) lines.push("Values (secrets masked):", indent(toYaml(values), "  "));
  return lines.join("\n");
}

/** Values that failed the parameters: every problem, by page and field. */
export function formatProblems(check: ParameterCheck): string {
  const lines = ["The values do not fit the template's parameters; nothing was run."];
  let page = -1;
  for (const problem of check.problems) {
    if (problem.page !== page) {
      page = problem.page;
      lines.push(`  Page ${page + 1}, "${problem.pageTitle}":`);
    }
    lines.push(`    ${problem.field}: ${problem.message}`);
  }
  return lines.join("\n");
}

export function formatUnknownValues(unknown: string[]): string | undefined {
  return unknown.length > 0
    ? `Note: the values file sets ${unknown.map((k) => `"${k}"`).join(", ")}, which no page of the template asks for.`
    : undefined;
}

/** Every step with its rendered input, log and output; the files a dry run made; the template's output. */
export function formatReport(report: TaskReport): string {
  const out: string[] = [];
  const total = report.steps.length;
  report.steps.forEach((step, i) => {
    const why = step.reason ? `: ${step.reason}` : "";
    out.push("", `Step ${i + 1}/${total} ${step.id}: ${step.name} (${step.action}) ${step.status}${why}`);
    if (step.inputs.length > 0) {
      out.push("  Input:", indent(toYaml(step.inputs.length === 1 ? step.inputs[0] : step.inputs), "    "));
    }
    // Status lines repeat the step's heading and the input echo repeats "Input:".
    const log = step.log.filter((l) => l.level !== "debug" && l.kind === undefined);
    if (log.length > 0) out.push("  Log:", ...log.map((l) => indent(l.message, "    ")));
    if (step.output && Object.keys(step.output).length > 0)
      out.push("  Output:", indent(toYaml(step.output), "    "));
    if (step.error) out.push(`  Error: ${step.error}`);
  });
  if (report.files) out.push("", ...formatFiles(report.files));
  if (report.output) out.push("", ...formatOutput(report.output));
  out.push("", summary(report));
  return out.join("\n");
}

function formatFiles(files: WorkspaceEntry[]): string[] {
  const shown = files.filter((f) => f.type !== "directory");
  const lines = [`Files (${shown.length}; a dry run publishes nothing):`];
  for (const file of shown) {
    if (file.type === "symlink") lines.push(`  ${file.path} -> ${file.target}`);
    else if (file.type === "file" && file.binary) lines.push(`  ${file.path} (binary, ${file.size} bytes)`);
    else if (file.type === "file") {
      const mode = file.mode & 0o111 ? `, mode ${file.mode.toString(8)}` : "";
      lines.push(`  ${file.path} (${file.size} bytes${mode})`);
      if (file.content.length > 0) lines.push(indent(file.content, "    | "));
    }
  }
  return lines;
}

function formatOutput(output: NonNullable<TaskReport["output"]>): string[] {
  const lines = ["Output:"];
  for (const link of output.links) {
    lines.push(`  Link: ${link.title ?? link.url ?? link.entityRef} -> ${link.url ?? link.entityRef ?? ""}`);
  }
  for (const text of output.text) {
    lines.push(`  ${text.title ?? "Text"}:`);
    if (text.content) lines.push(indent(text.content, "    "));
  }
  for (const [key, value] of Object.entries(output)) {
    if (key === "links" || key === "text") continue;
    lines.push(`  ${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
  }
  return lines;
}

function summary(report: TaskReport): string {
  const count = (status: string) => report.steps.filter((s) => s.status === status).length;
  const parts = [`${count("completed")} completed`, `${count("skipped")} skipped`];
  if (count("failed") > 0) parts.push(`${count("failed")} failed`);
  if (count("cancelled") > 0) parts.push(`${count("cancelled")} cancelled`);
  const what = report.dryRun ? "Dry run" : "Task";
  const head = `${what} ${report.status}: ${report.steps.length} steps, ${parts.join(", ")}.`;
  if (!report.error) return head;
  const done = report.steps.filter((s) => s.status === "completed").map((s) => s.id);
  // The workspace is gone, but what completed steps made elsewhere (a repository, a catalog entry) stays.
  const kept =
    !report.dryRun && done.length > 0
      ? `\nSteps completed before that: ${done.join(", ")}; anything they made outside the workspace is still there.`
      : "";
  return `${head}\n${report.error}${kept}`;
}
