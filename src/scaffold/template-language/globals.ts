import { trust } from "./safe-access.ts";
import { tickActive } from "./runtime.ts";

/**
 * nunjucks' globals: range, cycler and joiner. range counts against the render's iteration cap, so
 * `range(1e12)` stops with an error instead of filling memory.
 */
export const BUILTIN_GLOBALS: Record<string, unknown> = Object.assign(
  Object.create(null) as Record<string, unknown>,
  {
    range: trust((start: unknown, stop?: unknown, step?: unknown) => {
      if (stop === undefined) {
        stop = start;
        start = 0;
        step = 1;
      } else if (!step) {
        step = 1;
      }
      const result: unknown[] = [];
      const by = step as number;
      if (by > 0) {
        for (let i = start as number; i < (stop as number); i += by) {
          tickActive();
          result.push(i);
        }
      } else {
        for (let i = start as number; i > (stop as number); i += by) {
          tickActive();
          result.push(i);
        }
      }
      return result;
    }),
    cycler: trust((...items: unknown[]) => {
      let index = -1;
      const cycler: Record<string, unknown> = {
        current: null,
        reset: trust(() => {
          index = -1;
          cycler.current = null;
        }),
        next: trust(() => {
          index++;
          if (index >= items.length) index = 0;
          cycler.current = items[index];
          return cycler.current;
        }),
      };
      return cycler;
    }),
    joiner: trust((separator?: unknown) => {
      const text = separator || ",";
      let first = true;
      return trust(() => {
        const value = first ? "" : text;
        first = false;
        return value;
      });
    }),
  },
);
