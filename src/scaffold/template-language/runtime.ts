import { RuntimeFault } from "./errors.ts";
import { compatMember } from "./jinja-compat.ts";
import { isTrusted, member, safeValue, setStringCap } from "./safe-access.ts";

export type Filter = (this: RenderState, ...args: any[]) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
export type Test = (this: RenderState, value: unknown, ...args: unknown[]) => unknown;
export type Global = (...args: unknown[]) => unknown;

export interface Limits {
  /** Loop iterations (and range() items, batch fill and the like) one render may run. */
  maxIterations: number;
  /** Characters one render may write, and the longest string a `set` may hold. */
  maxOutputLength: number;
}

export const DEFAULT_LIMITS: Limits = { maxIterations: 1_000_000, maxOutputLength: 16 * 1024 * 1024 };

/** Variables of one scope: the template, or one `{% for %}` loop. Reads go outwards; `set` writes where the name lives. */
export class Frame {
  readonly vars: Record<string, unknown> = Object.create(null);

  constructor(readonly parent: Frame | null) {}

  lookup(name: string): unknown {
    const value = this.vars[name];
    if (value !== undefined) return value;
    return this.parent ? this.parent.lookup(name) : undefined;
  }

  /** The frame that holds `name`, this one or an outer one. */
  private holder(name: string): Frame | undefined {
    if (this.vars[name] !== undefined) return this;
    return this.parent?.holder(name);
  }

  set(name: string, value: unknown, resolveUp = false): void {
    const target = (resolveUp && this.holder(name)) || this;
    target.vars[name] = value;
  }

  push(): Frame {
    return new Frame(this);
  }
}

export interface RenderSetup {
  context: Record<string, unknown>;
  /** Filter tables, first match wins: the render's own, then registered, then built in. */
  filters: ReadonlyArray<Record<string, Filter>>;
  tests: Record<string, Test>;
  /** Global tables, first match wins. */
  globals: ReadonlyArray<Record<string, unknown>>;
  limits: Limits;
  compat: boolean;
}

const JINJA_CONSTANTS: Record<string, unknown> = Object.assign(Object.create(null), {
  True: true,
  False: false,
  None: null,
});

/**
 * The state of one render, handed to the compiled template as `r`. Its short method names are what the
 * generated code calls; every read, call and write a template makes goes through them.
 */
export class RenderState {
  readonly root = new Frame(null);
  /** Source offset of the statement or call being run, for error messages. */
  p = 0;
  private iterations = 0;
  private written = 0;
  /** Names `set` at the top level; they shadow the context even when set to undefined, as in nunjucks. */
  private readonly assigned: Record<string, unknown> = Object.create(null);

  constructor(readonly setup: RenderSetup) {
    setStringCap(setup.limits.maxOutputLength);
  }

  /** A name: loop and `set` variables, then the context, then globals. */
  v(frame: Frame, name: string): unknown {
    const value = frame.lookup(name);
    if (value !== undefined) return value;
    let found: unknown;
    const { context, globals } = this.setup;
    if (name in this.assigned) found = this.assigned[name];
    else if (Object.prototype.hasOwnProperty.call(context, name)) found = safeValue(context[name]);
    else found = fromTables(globals, name);
    if (found === undefined && this.setup.compat) {
      // fetch:template hands cookiecutter templates their values as `cookiecutter`; an engine that passes
      // them as `values` gets the same names.
      if (name === "cookiecutter") return safeValue(context.values);
      return JINJA_CONSTANTS[name];
    }
    return found;
  }

  /** Top-level `set`: also recorded beside the context (see `assigned`). */
  sv(frame: Frame, name: string, value: unknown, topLevel: boolean): void {
    if (typeof value === "string") this.checkLength(value.length, "a variable");
    frame.set(name, value, true);
    if (topLevel) this.assigned[name] = value;
  }

  /** Lists and dicts written in the template, which Jinja's mutating methods may change. */
  private owned?: WeakSet<object>;

  /** Member access `a.b` / `a[b]`. */
  m(target: unknown, key: unknown): unknown {
    return this.setup.compat
      ? compatMember(target, key, (this.owned ??= new WeakSet()))
      : member(target, key);
  }

  own<T extends object>(value: T): T {
    (this.owned ??= new WeakSet()).add(value);
    return value;
  }

  /** Calls `fn(...args)`; `name` describes the callee for the error. */
  c(at: number, fn: unknown, name: string, args: unknown[]): unknown {
    this.p = at;
    if (!fn) throw new RuntimeFault(`cannot call ${name}: it is ${describeValue(fn)}`);
    if (typeof fn !== "function" || !isTrusted(fn))
      throw new RuntimeFault(`cannot call ${name}: it is not a function`);
    return (fn as Global)(...args);
  }

  /** Applies filter `name`. */
  f(at: number, name: string, ...args: unknown[]): unknown {
    this.p = at;
    const filter = fromTables(this.setup.filters, name);
    if (!filter) throw new RuntimeFault(`unknown filter "${name}"`);
    const result = filter.apply(this, args);
    if (typeof result === "string") this.checkLength(result.length, `the ${name} filter`);
    return result;
  }

  /** `value is name(arg)`. */
  t(at: number, name: string, ...args: unknown[]): unknown {
    this.p = at;
    const test = Object.prototype.hasOwnProperty.call(this.setup.tests, name)
      ? this.setup.tests[name]
      : undefined;
    if (!test) throw new RuntimeFault(`unknown test "${name}"`);
    return test.apply(this, args as [unknown, ...unknown[]]);
  }

  /** `key in container`. */
  i(key: unknown, container: unknown): boolean {
    if (Array.isArray(container) || typeof container === "string")
      return container.indexOf(key as string) !== -1;
    if (isPlainObject(container)) return Object.prototype.hasOwnProperty.call(container, key as string);
    throw new RuntimeFault(
      `cannot use "in" to look for ${JSON.stringify(key) ?? String(key)} in ${describeValue(container)}`,
    );
  }

  /** Text for the output; counts what a render writes. */
  o(value: unknown): string {
    const text = value === undefined || value === null ? "" : "" + (value as string);
    this.written += text.length;
    if (this.written > this.setup.limits.maxOutputLength) {
      throw new RuntimeFault(
        `the template wrote more than ${this.setup.limits.maxOutputLength} characters (maxOutputLength)`,
        true,
      );
    }
    return text;
  }

  /** Counts one loop iteration (or `n` units of work a filter does on the template's behalf). */
  tick(n = 1): void {
    this.iterations += n;
    if (this.iterations > this.setup.limits.maxIterations) {
      throw new RuntimeFault(
        `the template ran more than ${this.setup.limits.maxIterations} loop iterations (maxIterations)`,
        true,
      );
    }
  }

  checkLength(length: number, what: string): void {
    if (length > this.setup.limits.maxOutputLength) {
      throw new RuntimeFault(
        `${what} built a string of ${length} characters, more than ${this.setup.limits.maxOutputLength} (maxOutputLength)`,
        true,
      );
    }
  }

  /** Keyword arguments `f(a, name=value)`: marked the way nunjucks marks them, so filters can tell them apart. */
  k(pairs: Record<string, unknown>): Record<string, unknown> {
    pairs.__keywords = true;
    return pairs;
  }

  re(source: string, flags: string): RegExp {
    return new RegExp(source, flags);
  }

  fl(value: number): number {
    return Math.floor(value);
  }

  pw(base: number, exponent: number): number {
    return Math.pow(base, exponent);
  }

  /** Iterables that are neither arrays nor strings (Map, Set) loop as arrays. */
  it(value: unknown): unknown {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
    if (Symbol.iterator in value) return Array.from(value as Iterable<unknown>);
    return value;
  }

  /** The keys a `{% for k, v in obj %}` visits. */
  keys(value: unknown): string[] {
    if (typeof value === "string") return Object.keys(value);
    if (typeof value !== "object" || value === null) return [];
    return Object.keys(value);
  }

  /** Item `index` of a `{% for a, b in pairs %}` entry. */
  at(item: unknown, index: number): unknown {
    if (item === undefined || item === null)
      throw new RuntimeFault(`cannot unpack ${describeValue(item)} into loop variables`);
    return member(item, index);
  }

  /** `loop` objects this render made, the only ones it writes loop.index and friends into. */
  private readonly loops = new WeakSet<object>();

  /**
   * Sets `loop.index` and friends in the loop's frame. When a template has set `loop` to a list or object of
   * its data, nunjucks writes the fields into that object; here they go into a copy, so a template can never
   * change its context (an array's `length` field would even cut the list short for the next file).
   */
  loop(frame: Frame, index: number, length: number): void {
    let loop = frame.vars.loop as Record<string, unknown> | undefined;
    if (!loop) loop = frame.vars.loop = {};
    if (typeof loop !== "object") {
      throw new RuntimeFault(
        `cannot set loop.index on ${describeValue(loop)}: \`loop\` was set to something else`,
      );
    }
    if (!this.loops.has(loop)) {
      loop = frame.vars.loop = (Array.isArray(loop) ? loop.slice() : { ...loop }) as Record<string, unknown>;
      this.loops.add(loop);
    }
    loop.index = index + 1;
    loop.index0 = index;
    loop.revindex = length - index;
    loop.revindex0 = length - index - 1;
    loop.first = index === 0;
    loop.last = index === length - 1;
    loop.length = length;
  }

  /** Jinja's `x[start:stop:step]`. */
  sl(target: unknown, start: unknown, stop: unknown, step: unknown): unknown[] {
    const list = (target || []) as { length: number };
    const length = list.length;
    const by = step as number;
    let from = start === null ? (by < 0 ? length - 1 : 0) : (start as number);
    let to = stop === null ? (by < 0 ? -1 : length) : (stop as number);
    if (stop !== null && to < 0) to += length;
    if (from < 0) from += length;
    const result: unknown[] = [];
    for (let i = from; ; i += by) {
      if (i < 0 || i > length) break;
      if (by > 0 && i >= to) break;
      if (by < 0 && i <= to) break;
      this.tick();
      result.push(member(list, i));
    }
    return result;
  }
}

function fromTables<T>(tables: ReadonlyArray<Record<string, T>>, name: string): T | undefined {
  for (const table of tables) {
    if (Object.prototype.hasOwnProperty.call(table, name)) return table[name];
  }
  return undefined;
}

/** The render running now; renders are synchronous, so globals such as range() can count against its caps. */
let activeRender: RenderState | undefined;

export function withActiveRender<T>(state: RenderState, fn: () => T): T {
  const previous = activeRender;
  activeRender = state;
  try {
    return fn();
  } finally {
    activeRender = previous;
  }
}

export function tickActive(): void {
  activeRender?.tick();
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return Object.prototype.toString.call(value) === "[object Object]";
}

export function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "string")
    return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value)}`;
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}
