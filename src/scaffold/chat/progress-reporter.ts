import type { Logger } from "pino";
import type { Reply } from "../../message/reply.ts";
import type { Address, MessageRef, Outbox } from "../../plugins/api.ts";
import type { TaskObserver, TaskProgress } from "../tasks/scaffold-tasks.ts";

/** What the reporter needs from the durable tasks. */
export interface ProgressSource {
  /** `onlyIfPosted`: undefined, after one cheap read, when no progress message was posted for the task. */
  progress(taskId: string, options?: { onlyIfPosted?: boolean }): Promise<TaskProgress | undefined>;
  setProgressRef(taskId: string, ref: string): Promise<boolean>;
}

export interface ProgressReporterOptions {
  tasks: ProgressSource;
  outbox: Outbox;
  render(progress: TaskProgress): Reply;
  log: Logger;
}

interface Pending {
  /** Another change came while a post or update was under way: one more update follows it. */
  dirty: boolean;
  /** Where to post the first message, when this process queued the task. */
  postTo?: Address;
  /** The message this process posted for the task. */
  posted?: MessageRef;
  done: Promise<void>;
}

/**
 * Keeps each task's progress as one message: the process that queued the task posts it (`start`) and stores its
 * ref with the task; from then on whichever process runs the task (this one, another replica, the one that
 * resumed it after a crash) edits it as steps change, reading the ref and the state from the database.
 *
 * Updates are coalesced per task: at most one post or update is under way, and changes that come meanwhile
 * become one more update with the state as it then is. So a template with many quick steps costs a few edits,
 * and the platform pacer (chat.update's rate) is never flooded; the last state always goes out.
 */
export class ProgressReporter implements TaskObserver {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly options: ProgressReporterOptions) {}

  /** Posts a newly queued task's progress at `address`; resolves with the message's ref once it is stored. */
  async start(taskId: string, address: Address): Promise<MessageRef | undefined> {
    const entry = this.schedule(taskId, address);
    await entry.done;
    return entry.posted;
  }

  changed(taskId: string): void {
    this.schedule(taskId);
  }

  /** Resolves when no post or update is under way (tests, and a clean stop). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending.values()].map((p) => p.done));
  }

  private schedule(taskId: string, postTo?: Address): Pending {
    const running = this.pending.get(taskId);
    if (running) {
      running.dirty = true;
      if (postTo) running.postTo = postTo;
      return running;
    }
    const entry: Pending = { dirty: true, ...(postTo ? { postTo } : {}), done: Promise.resolve() };
    this.pending.set(taskId, entry);
    entry.done = (async () => {
      try {
        while (entry.dirty) {
          entry.dirty = false;
          await this.send(taskId, entry);
        }
      } finally {
        this.pending.delete(taskId);
      }
    })();
    return entry;
  }

  private async send(taskId: string, entry: Pending): Promise<void> {
    const { tasks, outbox, log } = this.options;
    try {
      // Without a place to post, only a task whose message exists is of interest.
      const progress = await tasks.progress(taskId, { onlyIfPosted: !entry.postTo });
      if (!progress) return;
      const ref = progress.progressRef ? parseRef(progress.progressRef) : undefined;
      const message = this.options.render(progress);
      if (!ref) {
        // Not posted yet: only the process that queued the task knows where; another one waits for it.
        if (!entry.postTo) return;
        const posted = await outbox.post(entry.postTo, message);
        entry.postTo = undefined;
        entry.posted = posted;
        await tasks.setProgressRef(taskId, JSON.stringify(posted));
        // A worker elsewhere may have changed the task before the ref was stored, and skipped it: show the
        // state as it is now if it moved on.
        const now = await tasks.progress(taskId);
        if (now && fingerprint(now) !== fingerprint(progress)) entry.dirty = true;
        return;
      }
      const updated = await outbox.update(ref, message);
      if (updated.id !== ref.id || JSON.stringify(updated.address) !== JSON.stringify(ref.address)) {
        await tasks.setProgressRef(taskId, JSON.stringify(updated));
      }
    } catch (error) {
      // The task goes on whether or not chat shows it; `scaffold log` and the next change show it again.
      log.warn({ err: error, task: taskId }, "could not post or update a scaffolder task's progress");
      entry.postTo = undefined;
    }
  }
}

/** What a message shows that a change can move (elapsed times aside). */
function fingerprint(progress: TaskProgress): string {
  const { task, steps } = progress;
  return JSON.stringify([task.status, task.cancelling, steps.map((step) => step.status)]);
}

function parseRef(text: string): MessageRef | undefined {
  try {
    const ref = JSON.parse(text) as MessageRef;
    return ref && typeof ref.id === "string" && ref.address && typeof ref.address.adapter === "string"
      ? ref
      : undefined;
  } catch {
    return undefined;
  }
}
