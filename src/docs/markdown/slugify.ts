/**
 * Heading anchors exactly as mkdocs makes them (Python-Markdown's toc extension), so links written for
 * Backstage's TechDocs (`page.md#some-heading`, `#some-heading_1`) keep working here.
 */

/**
 * Python-Markdown `toc.slugify(value, '-')`: NFKD, drop what is not ASCII, drop `[^\w\s-]`, strip, lower-case,
 * then collapse runs of `-` and whitespace into one `-`. Python's `\s` after the ASCII step is [ \t\n\r\f\v].
 */
export function slugify(value: string): string {
  const ascii = value.normalize("NFKD").replace(/[^\p{ASCII}]/gu, "");
  const kept = ascii
    .replace(/[^A-Za-z0-9_\s-]/g, "")
    .replace(/^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$/g, "")
    .toLowerCase();
  return kept.replace(/[-\s]+/g, "-");
}

const NUMBERED = /^(.*)_([0-9]+)$/s;

/**
 * Python-Markdown `toc.unique`: while the id is taken or empty, bump a trailing `_<n>` or append `_1`.
 * `used` already holds every id on the page that was set explicitly (attribute lists), as toc collects them first.
 */
export function uniqueId(id: string, used: Set<string>): string {
  let candidate = id;
  // Each step adds an id or a digit, so the loop ends after at most used.size + 1 steps.
  while (candidate === "" || used.has(candidate)) {
    const match = NUMBERED.exec(candidate);
    candidate = match ? `${match[1]}_${Number(match[2]) + 1}` : `${candidate}_1`;
  }
  used.add(candidate);
  return candidate;
}
