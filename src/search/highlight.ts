import { escapeText } from "../message/reply.ts";

/** Decides whether a folded word of the document matched the query (exactly, by prefix or by typo). */
export type WordMatcher = (foldedWord: string) => boolean;

const SNIPPET_CHARS = 160;

export function foldWord(word: string): string {
  return word
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
}

/**
 * The passage of `text` around its first matched word, escaped for the Reply markdown subset, with matched
 * words in `**bold**`. Undefined when nothing in `text` matched.
 */
export function highlight(text: string, matches: WordMatcher): string | undefined {
  const words = [...text.matchAll(/[\p{L}\p{N}]+/gu)];
  const hits = words.filter((w) => matches(foldWord(w[0])));
  const first = hits[0];
  if (!first || first.index === undefined) return undefined;
  let start = 0;
  let end = text.length;
  if (text.length > SNIPPET_CHARS) {
    start = Math.max(0, first.index - 40);
    while (start > 0 && !/\s/.test(text[start - 1]!)) start--;
    end = Math.min(text.length, start + SNIPPET_CHARS);
  }
  let out = start > 0 ? "…" : "";
  let cursor = start;
  for (const hit of hits) {
    const at = hit.index!;
    if (at < start) continue;
    if (at + hit[0].length > end) break;
    out += escapeText(text.slice(cursor, at)) + "**" + escapeText(hit[0]) + "**";
    cursor = at + hit[0].length;
  }
  out += escapeText(text.slice(cursor, end));
  if (end < text.length) out += "…";
  return out.replace(/\s+/g, " ").trim();
}
