import type { ImportReport } from "./catalog-service.ts";
import type { CatalogProblem } from "./model/entity.ts";
import { count } from "../text/grammar.ts";

/** One problem or note for the operator's terminal: file:line, the entity and field, then what is wrong. */
export function formatProblem(problem: CatalogProblem): string {
  const where = problem.location.replace(/^file:/, "") + (problem.line ? `:${problem.line}` : "");
  const what = [problem.ref, problem.field].filter(Boolean).join(" ");
  return `${where}: ${what ? `${what}: ` : ""}${problem.message}`;
}

/** What an import did, for a person: counts, then each change, each problem and each note on its own line. */
export function formatImportSummary(report: ImportReport, options: { brief?: boolean } = {}): string {
  const { notes } = report;
  const counts =
    `${report.added.length} added, ${report.updated.length} updated, ${report.removed.length} removed, ` +
    `${report.unchanged} unchanged, ${count(report.problems.length, "problem")}` +
    (notes.length > 0 ? `, ${count(notes.length, "note")}` : "");
  const head = `Imported ${report.locationKey.replace(/^file:/, "")}: ${counts}.`;
  if (options.brief) {
    return report.problems.length + notes.length > 0
      ? `${head} Run "npm run callboard -- import ${report.locationKey.replace(/^file:/, "")}" to see ${report.problems.length + notes.length === 1 ? "it" : "them"}.`
      : head;
  }
  const lines = [head];
  for (const ref of report.added) lines.push(`  + ${ref}`);
  for (const ref of report.updated) lines.push(`  ~ ${ref}`);
  for (const ref of report.removed) lines.push(`  - ${ref}`);
  for (const ref of report.kept) lines.push(`  = ${ref} (kept at its last good version)`);
  for (const problem of report.problems) lines.push(`  ! ${formatProblem(problem)}`);
  for (const note of notes) lines.push(`  note: ${formatProblem(note)}`);
  return lines.join("\n");
}
