/**
 * Work that follows an ack (running the command, rendering, posting the answer) starts here, one job per
 * event-loop turn. setImmediate runs after the poll phase, so requests already waiting on their sockets are
 * read, verified and acked before the next answer's CPU work; without this the answer work of one command
 * runs in the same microtask chain as its ack and every queued ack waits behind it (Slack wants the ack in
 * 3 s, the answer has 30 minutes on response_url).
 */
export class AnswerQueue {
  private readonly jobs: (() => Promise<void>)[] = [];
  private scheduled = false;
  private idle: (() => void)[] = [];
  private running = 0;

  constructor(private readonly onError: (error: unknown) => void) {}

  /** Start `job` in a later event-loop turn; its failure goes to onError, never to the caller. */
  run(job: () => Promise<void>): void {
    this.jobs.push(job);
    this.schedule();
  }

  /** Jobs queued or started and not yet finished. */
  get pending(): number {
    return this.jobs.length + this.running;
  }

  /** Resolves when every queued job has finished. */
  drain(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.jobs.length === 0) return;
    this.scheduled = true;
    setImmediate(() => this.startNext());
  }

  private startNext(): void {
    this.scheduled = false;
    const job = this.jobs.shift();
    if (!job) return;
    this.running++;
    // An immediate queued from inside the check phase runs after the next poll: one job per turn.
    this.schedule();
    let started: Promise<void>;
    try {
      started = job();
    } catch (error) {
      started = Promise.reject(error);
    }
    started.catch(this.onError).finally(() => {
      this.running--;
      if (this.pending === 0) for (const resolve of this.idle.splice(0)) resolve();
    });
  }
}
