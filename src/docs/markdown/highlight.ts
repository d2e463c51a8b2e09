/**
 * Code highlighting on the server, with highlight.js. Measured against shiki with its JavaScript regex engine
 * on the same 4,000 code blocks (bench/RESULTS.md, 2026-12-06): highlight.js 0.43–0.57 s, shiki 2.9–3.3 s,
 * and shiki writes inline styles that a strict Content-Security-Policy would have to allow. Only the languages
 * docs commonly hold are registered; no auto-detection (slow, and wrong on short snippets).
 */
import { createRequire } from "node:module";

/**
 * highlight.js is loaded with require and described by the little of it used here: importing its type
 * declarations would pull the DOM library into every file's globals (its index.d.ts references lib "dom"),
 * changing what `Response` and `fetch` accept across the project.
 */
interface Highlighter {
  registerLanguage(name: string, language: unknown): void;
  getLanguage(name: string): unknown;
  highlight(code: string, options: { language: string; ignoreIllegals: boolean }): { value: string };
}

const require = createRequire(import.meta.url);
const hljs = require("highlight.js/lib/core") as Highlighter;

const LANGUAGES = [
  "bash",
  "c",
  "cpp",
  "csharp",
  "css",
  "diff",
  "dockerfile",
  "go",
  "graphql",
  "ini",
  "java",
  "javascript",
  "json",
  "kotlin",
  "makefile",
  "markdown",
  "nginx",
  "plaintext",
  "protobuf",
  "python",
  "ruby",
  "rust",
  "shell",
  "sql",
  "typescript",
  "xml",
  "yaml",
];
for (const name of LANGUAGES) hljs.registerLanguage(name, require(`highlight.js/lib/languages/${name}`));

/** Code longer than this is shown plain: highlighting is linear but a 1 MB block is not worth the time. */
const MAX_HIGHLIGHT = 100_000;

/** Highlighted HTML (hljs-* classes) for a known language, undefined otherwise (the caller escapes it). */
export function highlightCode(code: string, language: string): string | undefined {
  if (!language || code.length > MAX_HIGHLIGHT || !hljs.getLanguage(language)) return undefined;
  try {
    return hljs.highlight(code, { language, ignoreIllegals: true }).value;
  } catch {
    return undefined;
  }
}
