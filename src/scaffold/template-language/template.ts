import { Eta } from "eta";
import { Compiler } from "./compile.ts";
import { RuntimeFault, TemplateLimitError, TemplateRenderError, TemplateSyntaxError } from "./errors.ts";
import { createBackstageFilters } from "./filters/backstage-filters.ts";
import { COLLECTION_FILTERS } from "./filters/collection-filters.ts";
import { TEXT_FILTERS } from "./filters/text-filters.ts";
import { BUILTIN_GLOBALS } from "./globals.ts";
import { BUILTIN_TESTS } from "./is-tests.ts";
import type { Node } from "./ast.ts";
import { Lexer, LineMap } from "./lexer.ts";
import { TemplateParser } from "./parser.ts";
import { DEFAULT_LIMITS, RenderState, withActiveRender, type Filter, type Global } from "./runtime.ts";
import { trust } from "./safe-access.ts";

export interface TemplateOptions {
  /** Named in error messages, e.g. the skeleton file's path or "template.yaml: steps[0].input.url". */
  file?: string;
  /** Backstage's cookiecutterCompat: `{{ }}` expressions, Jinja's Python methods, True/False/None, `jsonify`. */
  cookiecutterCompat?: boolean;
  /** Drop the first newline after a block tag. */
  trimBlocks?: boolean;
  /** Strip spaces and tabs from the start of a line up to a block tag. */
  lstripBlocks?: boolean;
  /** Filters added for this render, over the built-in and Backstage ones. */
  filters?: Record<string, Filter>;
  /** Functions templates may call by name, e.g. `${{ now() }}`, and plain values they may read. */
  globals?: Record<string, Global | unknown>;
  /** Loop iterations one render may run (default 1,000,000). */
  maxIterations?: number;
  /** Characters one render may write (default 16 Mi). */
  maxOutputLength?: number;
}

export interface CompiledTemplate {
  render(context: Record<string, unknown>): string;
}

const eta = new Eta({
  autoEscape: false,
  autoTrim: false,
  varName: "r",
  cache: false,
  useWith: false,
  rmWhitespace: false,
});

type TemplateFunction = (state: RenderState) => string;

/**
 * What eta's compiled body needs around it: its output buffer and `capture` (for `{% set %}` and
 * `{% filter %}` bodies). eta's own function prologue also defines include, layout and block helpers these
 * templates never use, and creating that prologue for every skeleton file doubled the cold compile time.
 */
const PROLOGUE = `let __eta = {res: ""};
function capture(fn) { const saved = __eta.res; __eta.res = ""; try { fn(); return __eta.res; } finally { __eta.res = saved; } }
`;

interface Compiled {
  fn: TemplateFunction;
  lines: LineMap;
}

const registeredFilters: Record<string, Filter> = Object.create(null);
const registeredGlobals: Record<string, Global> = Object.create(null);

/** Adds a filter for every later render (plugins and the engine); a render's `filters` option wins over it. */
export function addFilter(name: string, filter: Filter): void {
  registeredFilters[name] = filter;
}

/** Adds a global function for every later render. */
export function addGlobal(name: string, fn: Global): void {
  registeredGlobals[name] = trust(fn);
}

const BASE_FILTERS: Record<string, Filter> = Object.assign(
  Object.create(null),
  TEXT_FILTERS,
  COLLECTION_FILTERS,
  createBackstageFilters(),
);
const COMPAT_FILTERS: Record<string, Filter> = Object.assign(Object.create(null), {
  jsonify: COLLECTION_FILTERS.dump!,
});
const NONE: Record<string, never> = Object.create(null);

function filterTables(options: TemplateOptions): Array<Record<string, Filter>> {
  return [
    options.filters ?? NONE,
    options.cookiecutterCompat ? COMPAT_FILTERS : NONE,
    registeredFilters,
    BASE_FILTERS,
  ];
}

function globalTables(options: TemplateOptions): Array<Record<string, unknown>> {
  if (!options.globals) return [registeredGlobals, BUILTIN_GLOBALS];
  for (const value of Object.values(options.globals)) if (typeof value === "function") trust(value);
  return [options.globals, registeredGlobals, BUILTIN_GLOBALS];
}

// Enough for a few templates' skeletons (a path and a contents entry per file) plus every step input.
const CACHE_LIMIT = 10_000;
const cache = new Map<string, Compiled>();

function cacheKey(source: string, options: TemplateOptions, dumpOutputs: boolean): string {
  return `${options.cookiecutterCompat ? 1 : 0}${options.trimBlocks ? 1 : 0}${options.lstripBlocks ? 1 : 0}${dumpOutputs ? 1 : 0}\u0000${source}`;
}

/** The eta template (JavaScript in eta tags) for a source, or a constant function when no tag can start in it. */
function translate(
  source: string,
  options: TemplateOptions,
  dumpOutputs: boolean,
): { code?: string; lines: LineMap; constant?: TemplateFunction } {
  if (!source.includes("{") && !source.includes("#}")) {
    // No tag can start here (every opener begins with "{"): the text is its own output.
    return { constant: (state) => state.o(source), lines: new LineMap("") };
  }
  const { nodes, lines } = parseSource(source, options);
  return {
    code: new Compiler(lines, {
      dumpOutputs,
      compat: !!options.cookiecutterCompat,
      file: options.file,
    }).compile(nodes),
    lines,
  };
}

/** The syntax tree of a template, read with the delimiters and whitespace options of `options`. */
export function parseSource(source: string, options: TemplateOptions): { nodes: Node[]; lines: LineMap } {
  const compat = !!options.cookiecutterCompat;
  const lexer = new Lexer(source, {
    variableStart: compat ? "{{" : "${{",
    variableEnd: "}}",
    trimBlocks: !!options.trimBlocks,
    lstripBlocks: !!options.lstripBlocks,
    file: options.file,
  });
  try {
    return { nodes: new TemplateParser(lexer, compat).parseTemplate(), lines: lexer.lines };
  } catch (error) {
    throw tooDeep(error, options);
  }
}

/** The parser and compiler recurse once per nesting level; thousands of levels run out of stack. */
function tooDeep(error: unknown, options: TemplateOptions): unknown {
  if (!(error instanceof RangeError)) return error;
  return new TemplateSyntaxError("the template nests blocks or parentheses too deeply", {
    file: options.file,
    line: 1,
    column: 1,
  });
}

/** eta's body for the code, wrapped as a function expression. */
function functionSource(code: string): string {
  return `function (r) {\n${PROLOGUE}${eta.compileBody(eta.parse(code))}return __eta.res;\n}`;
}

function instantiate(sources: string[], options: TemplateOptions): TemplateFunction[] {
  try {
    return new Function(`return [${sources.join(",\n")}];`)() as TemplateFunction[];
  } catch (error) {
    throw new TemplateSyntaxError(
      `the template could not be compiled: ${(error as Error).message.split("\n")[0]}`,
      {
        file: options.file,
        line: 1,
        column: 1,
      },
    );
  }
}

/** Parses and compiles without the cache. */
function build(source: string, options: TemplateOptions, dumpOutputs: boolean): Compiled {
  try {
    const { code, lines, constant } = translate(source, options, dumpOutputs);
    return { fn: constant ?? instantiate([functionSource(code!)], options)[0]!, lines };
  } catch (error) {
    throw tooDeep(error, options);
  }
}

function remember(key: string, entry: Compiled): void {
  cache.set(key, entry);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value!);
}

/**
 * Compiles many templates at once into the cache, e.g. every path and file of a skeleton before rendering
 * them. Creating a JavaScript function has a fixed cost (~100 µs under tsx) that dominates small templates;
 * one creation for the batch takes a fifth or more off a cold skeleton render (bench/RESULTS.md). Sources
 * that do not compile are left for renderTemplate to report.
 */
export function precompileTemplates(sources: Iterable<string>, options: TemplateOptions = {}): void {
  const pending: Array<{ key: string; lines: LineMap; source: string }> = [];
  const seen = new Set<string>();
  for (const source of sources) {
    const key = cacheKey(source, options, false);
    if (cache.has(key) || seen.has(key)) continue;
    seen.add(key);
    try {
      const { code, lines, constant } = translate(source, options, false);
      if (constant) remember(key, { fn: constant, lines });
      else pending.push({ key, lines, source: functionSource(code!) });
    } catch {
      // reported when the template is rendered
    }
  }
  if (!pending.length) return;
  let functions: TemplateFunction[];
  try {
    functions = instantiate(
      pending.map((entry) => entry.source),
      options,
    );
  } catch {
    return; // each template is then compiled, and any error reported, when it is rendered
  }
  pending.forEach((entry, i) => remember(entry.key, { fn: functions[i]!, lines: entry.lines }));
}

export function compiled(
  source: string,
  options: TemplateOptions,
  dumpOutputs = false,
  useCache = true,
): Compiled {
  if (!useCache) return build(source, options, dumpOutputs);
  const key = cacheKey(source, options, dumpOutputs);
  let entry = cache.get(key);
  if (entry) {
    cache.delete(key);
    cache.set(key, entry);
    return entry;
  }
  entry = build(source, options, dumpOutputs);
  remember(key, entry);
  return entry;
}

/** Empties the compile cache (benchmarks measure cold compiles with it). */
export function clearTemplateCache(): void {
  cache.clear();
}

export function run(template: Compiled, context: Record<string, unknown>, options: TemplateOptions): string {
  const state = new RenderState({
    context: context ?? {},
    filters: filterTables(options),
    tests: BUILTIN_TESTS,
    globals: globalTables(options),
    limits: {
      maxIterations: options.maxIterations ?? DEFAULT_LIMITS.maxIterations,
      maxOutputLength: options.maxOutputLength ?? DEFAULT_LIMITS.maxOutputLength,
    },
    compat: !!options.cookiecutterCompat,
  });
  try {
    return withActiveRender(state, () => template.fn(state));
  } catch (error) {
    throw renderError(error, template.lines.position(state.p), options.file);
  }
}

function renderError(error: unknown, at: { line: number; column: number }, file: string | undefined): Error {
  if (error instanceof TemplateRenderError || error instanceof TemplateSyntaxError) return error;
  const position = { file, ...at };
  if (error instanceof RuntimeFault) {
    return error.limit
      ? new TemplateLimitError(error.message, position)
      : new TemplateRenderError(error.message, position);
  }
  if (error instanceof RangeError && /string length|array length/i.test(error.message)) {
    return new TemplateLimitError(
      `the template built a value too large to hold (${error.message})`,
      position,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TemplateRenderError(message, position, { cause: error });
}
