import type { StoredTask, TaskStore } from "../../state/scaffold-task-store.ts";

/** Characters of a task id that listings show, and the shortest prefix a command may name a task by. */
export const SHORT_ID = 8;

/**
 * A task by its id, or by an unambiguous prefix of at least SHORT_ID characters as listings show it; otherwise
 * the sentence to answer with. The text comes from chat: anything but a hex id is not looked up, and the
 * answer quotes at most 80 characters of it.
 */
export async function findTask(
  store: Pick<TaskStore, "get" | "list">,
  text: string,
): Promise<StoredTask | string> {
  const id = text.trim().toLowerCase();
  const missing = `There is no task ${id.slice(0, 80)}. \`scaffold tasks\` lists yours.`;
  if (!/^[0-9a-f-]{1,64}$/.test(id)) return missing;
  const exact = await store.get(id);
  if (exact) return exact;
  if (id.length < SHORT_ID) return missing;
  const found = await store.list({ idPrefix: id, limit: 2 });
  if (found.length > 1) return `More than one task id starts with ${id}; give more of it.`;
  return found[0] ?? missing;
}
