import { RuntimeFault } from "./errors.ts";

/**
 * What an expression may reach. Templates read data, never the JavaScript underneath it: a member is an
 * object's own property, an array's or string's index or length, or one of the methods listed here (bound to
 * their receiver). Prototype members (`constructor`, `__proto__`, `toString` ...) are never looked up, so
 * `''.constructor.constructor('return process')()` finds nothing to call. Functions are values only when
 * the runtime made them (the bound methods below, cycler and joiner) or the engine registered them as
 * globals; a function found in data is treated as missing.
 */

const trusted = new WeakSet<object>();

export function trust<T extends object>(fn: T): T {
  trusted.add(fn);
  return fn;
}

export function isTrusted(value: unknown): boolean {
  return typeof value === "function" && trusted.has(value);
}

/** Never readable, even as own properties: defence in depth for data built by code. */
const FORBIDDEN = new Set([
  "__proto__",
  "constructor",
  "prototype",
  "__defineGetter__",
  "__defineSetter__",
  "__lookupGetter__",
  "__lookupSetter__",
]);

let maxStringLength = 16 * 1024 * 1024;

/** The renderer sets the output cap so that string methods that grow text (repeat, padStart) respect it. */
export function setStringCap(cap: number): void {
  maxStringLength = cap;
}

function checkLength(length: number, method: string): void {
  if (!(length <= maxStringLength)) {
    throw new RuntimeFault(
      `${method} would build a string of ${length} characters, more than the ${maxStringLength} allowed`,
      true,
    );
  }
}

type Method = (this: never, ...args: unknown[]) => unknown;

function plain(name: string, proto: object): [string, Method] {
  return [name, (proto as Record<string, Method>)[name]!];
}

const STRING_METHODS = new Map<string, Method>([
  ...[
    "at",
    "charAt",
    "charCodeAt",
    "codePointAt",
    "concat",
    "endsWith",
    "includes",
    "indexOf",
    "lastIndexOf",
    "localeCompare",
    "match",
    "normalize",
    "replace",
    "replaceAll",
    "search",
    "slice",
    "split",
    "startsWith",
    "substr",
    "substring",
    "toLowerCase",
    "toUpperCase",
    "toString",
    "trim",
    "trimEnd",
    "trimStart",
  ].map((name) => plain(name, String.prototype)),
  [
    "repeat",
    function (this: string, count: unknown) {
      checkLength(this.length * Number(count), "repeat");
      return this.repeat(count as number);
    } as Method,
  ],
  [
    "padStart",
    function (this: string, length: unknown, fill?: unknown) {
      checkLength(Number(length), "padStart");
      return this.padStart(length as number, fill as string);
    } as Method,
  ],
  [
    "padEnd",
    function (this: string, length: unknown, fill?: unknown) {
      checkLength(Number(length), "padEnd");
      return this.padEnd(length as number, fill as string);
    } as Method,
  ],
]);

// Only methods that neither change the array nor take a callback.
const ARRAY_METHODS = new Map<string, Method>(
  ["at", "concat", "includes", "indexOf", "join", "lastIndexOf", "slice", "toString"].map((name) =>
    plain(name, Array.prototype),
  ),
);

const NUMBER_METHODS = new Map<string, Method>(
  ["toFixed", "toPrecision", "toString"].map((name) => plain(name, Number.prototype)),
);

function bind(receiver: unknown, method: Method): (...args: unknown[]) => unknown {
  return trust((...args: unknown[]) => method.apply(receiver as never, args));
}

function isIndex(key: string): boolean {
  return /^(?:0|[1-9][0-9]*)$/.test(key);
}

/** `target.key` / `target[key]` as templates see it; missing members are undefined, as in nunjucks. */
export function member(target: unknown, key: unknown): unknown {
  if (target === undefined || target === null) return undefined;
  const name = typeof key === "number" ? String(key) : typeof key === "string" ? key : String(key);
  if (FORBIDDEN.has(name)) return undefined;
  switch (typeof target) {
    case "string": {
      if (name === "length") return target.length;
      if (isIndex(name)) return target[Number(name)];
      const method = STRING_METHODS.get(name);
      return method ? bind(target, method) : undefined;
    }
    case "number": {
      const method = NUMBER_METHODS.get(name);
      return method ? bind(target, method) : undefined;
    }
    case "object": {
      if (Array.isArray(target)) {
        if (name === "length") return target.length;
        if (isIndex(name)) return safeValue(target[Number(name)]);
        const method = ARRAY_METHODS.get(name);
        if (method) return bind(target, method);
      }
      if (!Object.prototype.hasOwnProperty.call(target, name)) return undefined;
      const value = (target as Record<string, unknown>)[name];
      if (typeof value === "function") return trusted.has(value) ? bind(target, value as Method) : undefined;
      return value;
    }
    default:
      return undefined;
  }
}

/** A value read from data: functions not made by the runtime read as undefined. */
export function safeValue(value: unknown): unknown {
  return typeof value === "function" && !trusted.has(value) ? undefined : value;
}
