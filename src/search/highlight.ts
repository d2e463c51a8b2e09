/**
 * Snippets: the passage of a document that matched, as plain text with the matched words' offsets. Search
 * says nothing about how a match looks; the search plugin turns offsets into the middle language's bold, and
 * a renderer could as well underline them.
 */

/** A passage on one line, and where in it each matched word is: `[start, end)` offsets, in order. */
export interface Snippet {
  text: string;
  matches: Array<[number, number]>;
}

/** A piece of a passage, matched or not, before whitespace is tidied. */
export interface SnippetPart {
  text: string;
  match: boolean;
}

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
 * The passage of `text` around its first matched word (at most ~160 characters, with … where it was cut),
 * each matched word in it at its offsets. Undefined when nothing in `text` matched.
 */
export function highlight(text: string, matches: WordMatcher): Snippet | undefined {
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
  const parts: SnippetPart[] = start > 0 ? [{ text: "…", match: false }] : [];
  let cursor = start;
  for (const hit of hits) {
    const at = hit.index!;
    if (at < start) continue;
    if (at + hit[0].length > end) break;
    parts.push({ text: text.slice(cursor, at), match: false }, { text: hit[0], match: true });
    cursor = at + hit[0].length;
  }
  parts.push({ text: text.slice(cursor, end), match: false });
  if (end < text.length) parts.push({ text: "…", match: false });
  return snippetFrom(parts);
}

/**
 * Join parts into one line, every run of whitespace (newlines included) one space and the ends trimmed,
 * keeping each matched part's offsets.
 */
export function snippetFrom(parts: readonly SnippetPart[]): Snippet {
  let text = "";
  const matches: Array<[number, number]> = [];
  for (const part of parts) {
    let start: number | undefined;
    for (const char of part.text) {
      if (/\s/.test(char)) {
        if (text.length > 0 && !text.endsWith(" ")) text += " ";
        continue;
      }
      start ??= text.length;
      text += char;
    }
    if (part.match && start !== undefined) {
      let end = text.length;
      while (end > start && text[end - 1] === " ") end--;
      matches.push([start, end]);
    }
  }
  if (text.endsWith(" ")) text = text.slice(0, -1);
  return { text, matches };
}
