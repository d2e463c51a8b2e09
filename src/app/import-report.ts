import type { ImportReport } from "../catalog/catalog-service.ts";
import type { CatalogProblem } from "../catalog/model/entity.ts";

export function formatProblem(problem: CatalogProblem): string {
  const where = problem.location.replace(/^file:/, "") + (problem.line ? `:${problem.line}` : "");
  const what = [problem.ref, problem.field].filter(Boolean).join(" ");
  return `${where}: ${what ? `${what}: ` : ""}${problem.message}`;
}

/** What an import did, for a person: counts, then each change and each problem on its own line. */
export function formatImportSummary(report: ImportReport, options: { brief?: boolean } = {}): string {
  const counts =
    `${report.added.length} added, ${report.updated.length} updated, ${report.removed.length} removed, ` +
    `${report.unchanged} unchanged, ${report.problems.length} problem${report.problems.length === 1 ? "" : "s"}`;
  const head = `Imported ${report.locationKey.replace(/^file:/, "")}: ${counts}.`;
  if (options.brief) {
    return report.problems.length > 0
      ? `${head} Run "npm run callboard -- import ${report.locationKey.replace(/^file:/, "")}" to see them.`
      : head;
  }
  const lines = [head];
  for (const ref of report.added) lines.push(`  + ${ref}`);
  for (const ref of report.updated) lines.push(`  ~ ${ref}`);
  for (const ref of report.removed) lines.push(`  - ${ref}`);
  for (const ref of report.kept) lines.push(`  = ${ref} (kept at its last good version)`);
  for (const problem of report.problems) lines.push(`  ! ${formatProblem(problem)}`);
  return lines.join("\n");
}
