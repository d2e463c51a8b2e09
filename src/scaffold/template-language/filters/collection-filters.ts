import { RuntimeFault } from "../errors.ts";
import { isPlainObject, type Filter, type RenderState } from "../runtime.ts";
import { member, safeValue } from "../safe-access.ts";
import { normalize } from "./text-filters.ts";

/**
 * nunjucks' list, object and number filters with its exact behaviour. Deliberate difference: where nunjucks
 * reads an attribute with a plain `item[attr]` (join, sum, selectattr, rejectattr), these read only own
 * properties and allowed members, like every other read a template makes.
 */

type List = { length: number; [index: number]: unknown };

function hasOwn(target: unknown, key: PropertyKey): boolean {
  return Object.prototype.hasOwnProperty.call(target, key);
}

/** nunjucks' `lib.map`: arrays map, array-likes loop over their length, anything else is empty. */
function mapLike(state: RenderState, value: unknown, fn: (item: unknown) => unknown): unknown[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.map(fn);
  const list = value as List;
  const results: unknown[] = [];
  for (let i = 0; i < list.length; i++) {
    state.tick();
    results[results.length] = fn(list[i]);
  }
  if (list.length === +list.length) results.length = list.length;
  return results;
}

/** nunjucks' `getAttrGetter`: a dotted path of own properties. */
function attributeGetter(attribute: unknown): (item: unknown) => unknown {
  const parts: unknown[] = !attribute
    ? []
    : typeof attribute === "string"
      ? attribute.split(".")
      : [attribute];
  return (item) => {
    let current = item;
    for (const part of parts) {
      if (!hasOwn(current, part as PropertyKey)) return undefined;
      current = member(current, part);
    }
    return current;
  };
}

function requireList(value: unknown, filter: string): unknown[] {
  if (!Array.isArray(value))
    throw new RuntimeFault(
      `the ${filter} filter needs a list, got ${value === null ? "null" : typeof value}`,
    );
  return value;
}

function firstIndexable(value: unknown, filter: string): List {
  if (value === null || value === undefined)
    throw new RuntimeFault(`the ${filter} filter cannot read from ${String(value)}`);
  return value as List;
}

/** nunjucks' `makeMacro` argument handling: keyword arguments fill the named positions. */
function namedArguments(names: string[], fn: (this: RenderState, ...args: unknown[]) => unknown): Filter {
  return function (this: RenderState, ...args: unknown[]) {
    let count = args.length;
    let keywords: Record<string, unknown> = {};
    const last = args[args.length - 1];
    if (last && hasOwn(last, "__keywords")) {
      keywords = last as Record<string, unknown>;
      count--;
    }
    let call: unknown[];
    if (count > names.length) {
      call = args.slice(0, names.length);
      call.push(keywords);
    } else if (count < names.length) {
      call = args.slice(0, count);
      for (let i = count; i < names.length; i++) call.push(keywords[names[i]!]);
      call.push(keywords);
    } else {
      call = args;
    }
    return fn.apply(this, call);
  };
}

function selectOrReject(expected: boolean): Filter {
  return function (this: RenderState, value: unknown, testName: unknown = "truthy", argument?: unknown) {
    if (value === null || value === undefined) throw new RuntimeFault(`cannot select from ${String(value)}`);
    const name = String(testName);
    const test = hasOwn(this.setup.tests, name) ? this.setup.tests[name] : undefined;
    if (!test) throw new RuntimeFault(`unknown test "${name}"`);
    return (Array.prototype.slice.call(value) as unknown[]).filter(
      (item) => test.call(this, item, argument) === expected,
    );
  };
}

export const COLLECTION_FILTERS: Record<string, Filter> = {
  abs: (value: unknown) => Math.abs(value as number),
  batch(this: RenderState, value: unknown, lineCount: unknown, fillWith: unknown) {
    const list = firstIndexable(value, "batch");
    const size = lineCount as number;
    const result: unknown[][] = [];
    let row: unknown[] = [];
    for (let i = 0; i < list.length; i++) {
      this.tick();
      if (i % size === 0 && row.length) {
        result.push(row);
        row = [];
      }
      row.push(list[i]);
    }
    if (row.length) {
      if (fillWith) {
        for (let i = row.length; i < size; i++) {
          this.tick();
          row.push(fillWith);
        }
      }
      result.push(row);
    }
    return result;
  },
  default: (value: unknown, fallback: unknown, boolean: unknown) =>
    boolean ? value || fallback : value !== undefined ? value : fallback,
  dictsort(value: unknown, caseSensitive: unknown, by: unknown) {
    if (!isPlainObject(value)) throw new RuntimeFault("the dictsort filter needs an object");
    let index: number;
    if (by === undefined || by === "key") index = 0;
    else if (by === "value") index = 1;
    else throw new RuntimeFault("the dictsort filter sorts by either key or value");
    const entries: Array<[string, unknown]> = Object.keys(value).map((key) => [key, safeValue(value[key])]);
    return entries.sort((left, right) => {
      let a = left[index] as unknown;
      let b = right[index] as unknown;
      if (!caseSensitive) {
        if (typeof a === "string") a = a.toUpperCase();
        if (typeof b === "string") b = b.toUpperCase();
      }
      return (a as number) > (b as number) ? 1 : a === b ? 0 : -1;
    });
  },
  dump: (value: unknown, spaces: unknown) => JSON.stringify(value, null, spaces as number),
  first: (value: unknown) => member(firstIndexable(value, "first"), 0),
  groupby(value: unknown, attribute: unknown) {
    const list = firstIndexable(value, "groupby");
    const get = attributeGetter(attribute);
    const groups: Record<string, unknown[]> = {};
    for (let i = 0; i < list.length; i++) {
      const item = list[i];
      const key = String(get(item));
      if (!hasOwn(groups, key))
        Object.defineProperty(groups, key, {
          value: [],
          enumerable: true,
          writable: true,
          configurable: true,
        });
      groups[key]!.push(item);
    }
    return groups;
  },
  join(this: RenderState, value: unknown, delimiter: unknown, attribute: unknown) {
    let list = value;
    if (attribute) list = mapLike(this, list, (item) => member(item, attribute));
    return requireList(list, "join").join((delimiter || "") as string);
  },
  last(value: unknown) {
    const list = firstIndexable(value, "last");
    return member(list, list.length - 1);
  },
  length(value: unknown) {
    const normalized = normalize(value, "");
    if (normalized instanceof Map || normalized instanceof Set) return normalized.size;
    if (isPlainObject(normalized)) return Object.keys(normalized).length;
    return (normalized as { length?: unknown }).length;
  },
  list(value: unknown) {
    if (typeof value === "string") return value.split("");
    if (isPlainObject(value)) return Object.keys(value).map((key) => ({ key, value: safeValue(value[key]) }));
    if (Array.isArray(value)) return value;
    throw new RuntimeFault("the list filter needs a string, a list or an object");
  },
  random(value: unknown) {
    const list = firstIndexable(value, "random");
    return member(list, Math.floor(Math.random() * list.length));
  },
  reject: selectOrReject(false),
  select: selectOrReject(true),
  rejectattr: (value: unknown, attribute: unknown) =>
    requireList(value, "rejectattr").filter((item) => !member(item, attribute)),
  selectattr: (value: unknown, attribute: unknown) =>
    requireList(value, "selectattr").filter((item) => !!member(item, attribute)),
  reverse(this: RenderState, value: unknown) {
    if (typeof value === "string") return value.split("").reverse().join("");
    return mapLike(this, value, (item) => item).reverse();
  },
  round(value: unknown, precision: unknown, method: unknown) {
    const factor = Math.pow(10, (precision || 0) as number);
    const rounder = method === "ceil" ? Math.ceil : method === "floor" ? Math.floor : Math.round;
    return rounder((value as number) * factor) / factor;
  },
  slice(this: RenderState, value: unknown, slices: unknown, fillWith: unknown) {
    const list = firstIndexable(value, "slice") as unknown[];
    const count = slices as number;
    const size = Math.floor(list.length / count);
    const extra = list.length % count;
    const result: unknown[][] = [];
    let offset = 0;
    for (let i = 0; i < count; i++) {
      this.tick();
      const start = offset + i * size;
      if (i < extra) offset++;
      const part = list.slice(start, offset + (i + 1) * size);
      if (fillWith && i >= extra) part.push(fillWith);
      result.push(part);
    }
    return result;
  },
  sort: namedArguments(
    ["value", "reverse", "case_sensitive", "attribute"],
    function (this: RenderState, value, reversed, caseSensitive, attribute) {
      const list = mapLike(this, value, (item) => item);
      const get = attributeGetter(attribute);
      return list.sort((left, right) => {
        let a = attribute ? get(left) : left;
        let b = attribute ? get(right) : right;
        if (!caseSensitive && typeof a === "string" && typeof b === "string") {
          a = a.toLowerCase();
          b = b.toLowerCase();
        }
        if ((a as number) < (b as number)) return reversed ? 1 : -1;
        if ((a as number) > (b as number)) return reversed ? -1 : 1;
        return 0;
      });
    },
  ),
  sum(this: RenderState, value: unknown, attribute: unknown, start: unknown = 0) {
    let list = value;
    if (attribute) list = mapLike(this, list, (item) => member(item, attribute));
    return (start as number) + (requireList(list, "sum") as number[]).reduce((a, b) => a + b, 0);
  },
  float(value: unknown, fallback: unknown) {
    const result = parseFloat(value as string);
    return Number.isNaN(result) ? fallback : result;
  },
  int: namedArguments(["value", "default", "base"], (value, fallback, base = 10) => {
    const result = parseInt(value as string, base as number);
    return Number.isNaN(result) ? fallback : result;
  }),
};
COLLECTION_FILTERS.d = COLLECTION_FILTERS.default!;
