import { RuntimeFault } from "./errors.ts";
import { member, safeValue, trust } from "./safe-access.ts";

/**
 * nunjucks' Jinja compatibility, which Backstage switches on for `cookiecutterCompat`: Python's list and
 * dict methods (`items()`, `keys()`, `append()` ...), `True`/`False`/`None` and slices (in the parser and
 * RenderState.sl). Deliberate difference: the methods that change a list or dict (append, pop, insert,
 * remove, update, setdefault, popitem) work only on lists and dicts the template built itself, because the
 * context belongs to the engine and a template must not change it for the next file.
 */

type Method = (this: unknown, ...args: unknown[]) => unknown;

function readOnly(): never {
  throw new RuntimeFault(
    "this method changes a list or dict the template did not build; copy it first, e.g. `x | list`",
  );
}

const ARRAY_MEMBERS: Record<
  string,
  { mutates: boolean; fn: (list: unknown[], ...args: unknown[]) => unknown }
> = {
  pop: {
    mutates: true,
    fn(list, index) {
      if (index === undefined) return list.pop();
      if ((index as number) >= list.length || (index as number) < 0) throw new RuntimeFault("KeyError");
      return list.splice(index as number, 1);
    },
  },
  append: { mutates: true, fn: (list, item) => list.push(item) },
  remove: {
    mutates: true,
    fn(list, item) {
      const at = list.indexOf(item);
      if (at === -1) throw new RuntimeFault("ValueError");
      return list.splice(at, 1);
    },
  },
  count: { mutates: false, fn: (list, item) => list.filter((entry) => entry === item).length },
  index: {
    mutates: false,
    fn(list, item) {
      const at = list.indexOf(item);
      if (at === -1) throw new RuntimeFault("ValueError");
      return at;
    },
  },
  find: { mutates: false, fn: (list, item) => list.indexOf(item) },
  insert: { mutates: true, fn: (list, index, item) => list.splice(index as number, 0, item) },
};

type Dict = Record<string, unknown>;
const entries = (dict: Dict) => Object.keys(dict).map((key) => [key, safeValue(dict[key])]);
const values = (dict: Dict) => Object.keys(dict).map((key) => safeValue(dict[key]));

const OBJECT_MEMBERS: Record<string, { mutates: boolean; fn: (dict: Dict, ...args: unknown[]) => unknown }> =
  {
    items: { mutates: false, fn: entries },
    iteritems: { mutates: false, fn: entries },
    values: { mutates: false, fn: values },
    itervalues: { mutates: false, fn: values },
    keys: { mutates: false, fn: (dict) => Object.keys(dict) },
    iterkeys: { mutates: false, fn: (dict) => Object.keys(dict) },
    get: {
      mutates: false,
      fn(dict, key, fallback) {
        const value = member(dict, key);
        return value === undefined ? fallback : value;
      },
    },
    has_key: { mutates: false, fn: (dict, key) => Object.prototype.hasOwnProperty.call(dict, key as string) },
    pop: {
      mutates: true,
      fn(dict, key, fallback) {
        const value = member(dict, key);
        if (value === undefined && fallback !== undefined) return fallback;
        if (value === undefined) throw new RuntimeFault("KeyError");
        delete dict[key as string];
        return value;
      },
    },
    popitem: {
      mutates: true,
      fn(dict) {
        const key = Object.keys(dict)[0];
        if (key === undefined) throw new RuntimeFault("KeyError");
        const value = dict[key];
        delete dict[key];
        return [key, value];
      },
    },
    setdefault: {
      mutates: true,
      fn(dict, key, fallback = null) {
        if (!Object.prototype.hasOwnProperty.call(dict, key as string)) dict[key as string] = fallback;
        return member(dict, key);
      },
    },
    update: {
      mutates: true,
      fn(dict, other) {
        for (const key of Object.keys((other ?? {}) as Dict)) {
          if (key !== "__proto__") dict[key] = (other as Dict)[key];
        }
        return null;
      },
    },
  };

function bound(target: object, entry: { mutates: boolean; fn: Method }, owned: WeakSet<object>): unknown {
  return trust((...args: unknown[]) => {
    if (entry.mutates && !owned.has(target)) readOnly();
    return entry.fn.call(undefined, target, ...args);
  });
}

/** Member access in Jinja-compatibility mode: the Python methods first, then the usual rules. */
export function compatMember(target: unknown, key: unknown, owned: WeakSet<object>): unknown {
  const value = target || {};
  const name = String(key);
  if (Array.isArray(value) && Object.prototype.hasOwnProperty.call(ARRAY_MEMBERS, name)) {
    return bound(value, ARRAY_MEMBERS[name] as { mutates: boolean; fn: Method }, owned);
  }
  if (
    Object.prototype.toString.call(value) === "[object Object]" &&
    Object.prototype.hasOwnProperty.call(OBJECT_MEMBERS, name)
  ) {
    return bound(value as object, OBJECT_MEMBERS[name] as { mutates: boolean; fn: Method }, owned);
  }
  // nunjucks hands the original value on (its `obj || {}` does not reach `arguments` in strict mode).
  return member(target, key);
}
