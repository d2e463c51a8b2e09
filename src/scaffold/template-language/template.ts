import { Eta } from "eta";
import { Compiler } from "./compile.ts";
import { RuntimeFault, TemplateLimitError, TemplateRenderError, TemplateSyntaxError } from "./errors.ts";
import { createBackstageFilters } from "./filters/backstage-filters.ts";
import { COLLECTION_FILTERS } from "./filters/collection-filters.ts";
import { TEXT_FILTERS } from "./filters/text-filters.ts";
import { builtinGlobals } from "./globals.ts";
import { BUILTIN_TESTS } from "./is-tests.ts";
import { Lexer, type LineMap } from "./lexer.ts";
import { TemplateParser } from "./parser.ts";
import { DEFAULT_LIMITS, RenderState, type Filter, type Global } from "./runtime.ts";
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

type TemplateFunction = (this: Eta, state: RenderState, options: object) => string;

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
  {
    e: TEXT_FILTERS.escape,
  },
);

function filtersFor(options: TemplateOptions): Record<string, Filter> {
  const filters: Record<string, Filter> = Object.assign(
    Object.create(null),
    BASE_FILTERS,
    registeredFilters,
    options.filters,
  );
  if (options.cookiecutterCompat && !options.filters?.jsonify) filters.jsonify = COLLECTION_FILTERS.dump!;
  return filters;
}

const CACHE_LIMIT = 2000;
const cache = new Map<string, Compiled>();

function cacheKey(source: string, options: TemplateOptions, dumpOutputs: boolean): string {
  return `${options.cookiecutterCompat ? 1 : 0}${options.trimBlocks ? 1 : 0}${options.lstripBlocks ? 1 : 0}${dumpOutputs ? 1 : 0}\u0000${source}`;
}

/** Parses and compiles without the cache. */
function build(source: string, options: TemplateOptions, dumpOutputs: boolean): Compiled {
  const compat = !!options.cookiecutterCompat;
  const lexer = new Lexer(source, {
    variableStart: compat ? "{{" : "${{",
    variableEnd: "}}",
    trimBlocks: !!options.trimBlocks,
    lstripBlocks: !!options.lstripBlocks,
    file: options.file,
  });
  const nodes = new TemplateParser(lexer, compat).parseTemplate();
  const code = new Compiler(lexer.lines, { dumpOutputs, compat, file: options.file }).compile(nodes);
  let fn: TemplateFunction;
  try {
    fn = eta.compile(code) as unknown as TemplateFunction;
  } catch (error) {
    throw new TemplateSyntaxError(
      `the template could not be compiled: ${(error as Error).message.split("\n")[0]}`,
      { file: options.file, line: 1, column: 1 },
    );
  }
  return { fn, lines: lexer.lines };
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
  cache.set(key, entry);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  return entry;
}

/** Empties the compile cache (benchmarks measure cold compiles with it). */
export function clearTemplateCache(): void {
  cache.clear();
}

export function run(template: Compiled, context: Record<string, unknown>, options: TemplateOptions): string {
  const globals: Record<string, unknown> = Object.create(null);
  const state = new RenderState({
    context: context ?? {},
    filters: filtersFor(options),
    tests: BUILTIN_TESTS,
    globals,
    limits: {
      maxIterations: options.maxIterations ?? DEFAULT_LIMITS.maxIterations,
      maxOutputLength: options.maxOutputLength ?? DEFAULT_LIMITS.maxOutputLength,
    },
    compat: !!options.cookiecutterCompat,
  });
  Object.assign(globals, builtinGlobals(state), registeredGlobals);
  for (const [name, fn] of Object.entries(options.globals ?? {}))
    globals[name] = typeof fn === "function" ? trust(fn) : fn;
  try {
    return template.fn.call(eta, state, {});
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
