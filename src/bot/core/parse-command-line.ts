import { trimEdges } from "../../text/trim-edges.ts";

/**
 * Turns what a person typed into (phrase, args, flags). People type naturally ("owner of payments api?",
 * "@Callboard who owns payments-api please"), so matching is forgiving about case, punctuation at the
 * end, and a leading "/callboard".
 */
export interface ParsedLine {
  /** The matched phrase, or undefined when no command phrase starts the line. */
  phrase?: string;
  args: string;
  flags: Record<string, string | true>;
  /** The line as understood (prefix and trailing punctuation removed), for echoing back. */
  text: string;
}

const FLAG = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/i;

export function normaliseLine(raw: string): string {
  const line = raw
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^\/?callboard\b:?\s*/i, "");
  return trimEdges(line, "", "?!.").trim();
}

export function splitFlags(text: string): { rest: string; flags: Record<string, string | true> } {
  const words = text.split(" ").filter((w) => w.length > 0);
  const kept: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const match = FLAG.exec(word);
    if (!match) {
      kept.push(word);
      continue;
    }
    const name = match[1]!.toLowerCase();
    if (match[2] !== undefined) {
      flags[name] = match[2];
    } else if (i + 1 < words.length && !words[i + 1]!.startsWith("--")) {
      flags[name] = words[++i]!;
    } else {
      flags[name] = true;
    }
  }
  return { rest: kept.join(" "), flags };
}

/** `phrases` must be lower-case; the longest phrase that starts the line wins. */
export function parseCommandLine(raw: string, phrases: Iterable<string>): ParsedLine {
  const text = normaliseLine(raw);
  const lower = text.toLowerCase();
  let best: string | undefined;
  for (const phrase of phrases) {
    if (lower === phrase || lower.startsWith(phrase + " ")) {
      if (!best || phrase.length > best.length) best = phrase;
    }
  }
  const remainder = best ? text.slice(best.length).trim() : text;
  const { rest, flags } = splitFlags(remainder);
  return { phrase: best, args: rest, flags, text };
}
