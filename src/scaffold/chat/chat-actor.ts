import type { ChatUser } from "../../plugins/api.ts";
import type { TaskActor } from "../tasks/run-permissions.ts";

/**
 * The person behind a chat request as the durable tasks know them: their catalog User when Callboard matched
 * one (their groups then count for run permissions and `scaffold tasks`), else `<surface>:<id>`.
 */
export function actorOf(user: ChatUser): TaskActor {
  return user.catalogRef
    ? { id: user.catalogRef, userRef: user.catalogRef }
    : { id: `${user.surface}:${user.id}` };
}
