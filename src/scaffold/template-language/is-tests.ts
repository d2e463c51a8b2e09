import type { Test } from "./runtime.ts";

/** nunjucks' tests for `x is name` / `x is name(arg)`, with its exact (JavaScript) meanings. */
export const BUILTIN_TESTS: Record<string, Test> = Object.assign(
  Object.create(null) as Record<string, Test>,
  {
    callable: (value: unknown) => typeof value === "function",
    defined: (value: unknown) => value !== undefined,
    divisibleby: (one: unknown, two: unknown) => (one as number) % (two as number) === 0,
    escaped: () => false,
    equalto: (one: unknown, two: unknown) => one === two,
    eq: (one: unknown, two: unknown) => one === two,
    sameas: (one: unknown, two: unknown) => one === two,
    even: (value: unknown) => (value as number) % 2 === 0,
    falsy: (value: unknown) => !value,
    ge: (one: unknown, two: unknown) => (one as number) >= (two as number),
    greaterthan: (one: unknown, two: unknown) => (one as number) > (two as number),
    gt: (one: unknown, two: unknown) => (one as number) > (two as number),
    le: (one: unknown, two: unknown) => (one as number) <= (two as number),
    lessthan: (one: unknown, two: unknown) => (one as number) < (two as number),
    lt: (one: unknown, two: unknown) => (one as number) < (two as number),
    lower: (value: unknown) => (value as string).toLowerCase() === value,
    ne: (one: unknown, two: unknown) => one !== two,
    null: (value: unknown) => value === null,
    number: (value: unknown) => typeof value === "number",
    odd: (value: unknown) => (value as number) % 2 === 1,
    string: (value: unknown) => typeof value === "string",
    truthy: (value: unknown) => !!value,
    undefined: (value: unknown) => value === undefined,
    upper: (value: unknown) => (value as string).toUpperCase() === value,
    iterable: (value: unknown) => !!(value as Record<symbol, unknown>)[Symbol.iterator],
    mapping: (value: unknown) =>
      value !== null &&
      value !== undefined &&
      typeof value === "object" &&
      !Array.isArray(value) &&
      !(value instanceof Set),
  },
);
