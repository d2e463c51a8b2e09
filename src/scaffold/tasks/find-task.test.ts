import { describe, expect, it } from "vitest";
import type { StoredTask } from "../../state/scaffold-task-store.ts";
import { findTask } from "./find-task.ts";

function store(ids: string[]) {
  const calls: string[] = [];
  return {
    calls,
    get: async (id: string) => {
      calls.push(`get ${id.length}`);
      return ids.includes(id) ? ({ id } as StoredTask) : undefined;
    },
    list: async ({ idPrefix }: { idPrefix?: string }) => {
      calls.push(`list ${idPrefix}`);
      return ids.filter((id) => id.startsWith(idPrefix ?? "")).map((id) => ({ id }) as StoredTask);
    },
  };
}

describe("findTask", () => {
  const a = "0a1b2c3d-0000-4000-8000-000000000001";
  const b = "0a1b2c3d-1111-4000-8000-000000000002";

  it("finds a task by its id in any case, or by an unambiguous prefix of at least 8 characters", async () => {
    const tasks = store([a, b]);
    expect(await findTask(tasks, ` ${a.toUpperCase()} `)).toMatchObject({ id: a });
    expect(await findTask(tasks, b.slice(0, 12))).toMatchObject({ id: b });
    expect(await findTask(tasks, a.slice(0, 8))).toBe(
      `More than one task id starts with ${a.slice(0, 8)}; give more of it.`,
    );
    expect(await findTask(tasks, "0a1b2c")).toBe("There is no task 0a1b2c. `scaffold tasks` lists yours.");
  });

  it("looks nothing up for text that is not an id, and quotes at most 80 characters of it", async () => {
    const tasks = store([a]);
    for (const text of ["x".repeat(4_000), "0a1b2c3d' OR 1=1 --", "", "a".repeat(65)]) {
      const answer = await findTask(tasks, text);
      expect(typeof answer).toBe("string");
      expect((answer as string).length).toBeLessThan(140);
    }
    expect(tasks.calls).toEqual([]);
  });
});
