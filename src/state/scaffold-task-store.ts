/**
 * The port for durable scaffolder tasks: the queue (create, claim, heartbeat, finish, cancel, retry) and each
 * task's stored run state (step states, event log, checkpoints). `src/db` implements it; `src/scaffold/tasks`
 * uses it. Everything a task carries crosses as text the scaffolder wrote (JSON, or values it sealed), so this
 * file knows no scaffolder types.
 *
 * Every write a running task makes is conditional on its claim token: a worker that lost its claim (its
 * heartbeat stopped for longer than the timeout and another worker took the task) writes nothing, and learns so
 * from the result.
 */

/** `waiting`: parked by its run (an approval) until woken or until `wakeAt`; no worker holds it meanwhile. */
export type StoredTaskStatus = "open" | "processing" | "waiting" | "completed" | "failed" | "cancelled";
export type EndedTaskStatus = "completed" | "failed" | "cancelled";

export interface StoredTask {
  id: string;
  status: StoredTaskStatus;
  templateRef: string;
  title: string;
  /** What to run, JSON text; nothing secret. */
  spec: string;
  /** The secrets, sealed; null once the task has ended. */
  secrets: string | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  claimedBy: string | null;
  heartbeatAt: Date | null;
  attempts: number;
  cancelRequestedAt: Date | null;
  retryRequestedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
  /** The rendered output, JSON text. */
  output: string | null;
  /** The chat message showing its progress (an outbox MessageRef, JSON text), once one was posted. */
  progressRef: string | null;
  /** A waiting task is claimable again from this time; null: only when woken. */
  wakeAt?: Date | null;
}

export interface NewTask {
  id: string;
  templateRef: string;
  title: string;
  spec: string;
  secrets: string | null;
  createdBy: string;
  createdAt: Date;
}

/** A task this worker now holds: every write for it passes `token`. */
export interface ClaimedTask extends StoredTask {
  claimToken: string;
}

export interface ClaimRequest {
  workerId: string;
  /** New for this claim (a uuid). */
  token: string;
  now: Date;
  /** A processing task whose heartbeat is older than this was abandoned by its worker and may be taken. */
  staleBefore: Date;
  /** An abandoned task already claimed this often is not taken again (the janitor fails it). */
  maxAttempts: number;
}

export interface StoredStep {
  stepId: string;
  status: string;
  output: string | null;
  sealedOutput: string | null;
  reason: string | null;
  /** When the step last began running; kept by the store from the step's `processing` save. */
  startedAt?: Date | null;
  updatedAt: Date;
}

export interface StoredEvent {
  id: number;
  at: Date;
  stepId: string | null;
  type: string;
  level: string;
  message: string;
  status: string | null;
}

export interface TaskListQuery {
  /** Only tasks this person created; all tasks when absent. */
  createdBy?: string;
  statuses?: StoredTaskStatus[];
  /** Only tasks whose id starts with this (people type the first characters of an id). */
  idPrefix?: string;
  /** Newest first, at most this many. */
  limit: number;
}

export interface TaskStore {
  create(task: NewTask): Promise<void>;
  get(id: string): Promise<StoredTask | undefined>;
  list(query: TaskListQuery): Promise<StoredTask[]>;

  /**
   * Takes the oldest open task, or an abandoned processing one, with a conditional update: of several workers
   * racing for one task exactly one gets it. Undefined when there is nothing to take.
   */
  claim(request: ClaimRequest): Promise<ClaimedTask | undefined>;
  /**
   * Marks the given claims alive. Returns the ones still held, each with whether a cancel was asked for;
   * a claim missing from the result was lost.
   */
  heartbeat(
    claims: Array<{ id: string; token: string }>,
    now: Date,
  ): Promise<Array<{ id: string; cancelRequested: boolean }>>;
  /**
   * Ends the task: its status, reason and output; its secrets are deleted. The workspaces and sealed step
   * outputs kept for a resume are deleted too unless `keepWorkspaces` (a failed or cancelled task may be
   * retried). False when the claim was lost.
   */
  finish(
    id: string,
    token: string,
    end: { status: EndedTaskStatus; error?: string; output?: string; now: Date; keepWorkspaces: boolean },
  ): Promise<boolean>;
  /**
   * Keeps where the task's progress message is (any process may write it: the one that queued the task posts
   * it, a worker replaces it when the platform gave a new one). False when there is no such task.
   */
  setProgressRef(id: string, ref: string): Promise<boolean>;
  /** Gives a claimed task back to the queue untouched (this worker is stopping). */
  release(id: string, token: string, now: Date): Promise<boolean>;
  /**
   * Parks a claimed task: it waits, held by no worker, until `wake` or until `wakeAt` (null: no time), then
   * any worker claims it and the run resumes. When a wake-up came since the claim, or a cancel was asked for,
   * it is queued again at once instead ("requeued"), so neither is slept through. False when the claim was lost.
   */
  park(id: string, token: string, wakeAt: Date | null, now: Date): Promise<"parked" | "requeued" | false>;
  /** Wakes a waiting task (queues it for any worker); marks a processing one so its park requeues it. */
  wake(id: string, now: Date): Promise<void>;

  /**
   * Asks for a task to be cancelled. An open or waiting task is cancelled at once (its secrets deleted); a processing one
   * gets a flag its worker sees at its next heartbeat. Says which happened, or "ended" when the task had
   * already ended, undefined when there is no such task.
   */
  requestCancel(
    id: string,
    reason: string,
    now: Date,
  ): Promise<"cancelled" | "requested" | "ended" | undefined>;
  /**
   * Queues a failed or cancelled task again with (new) sealed secrets; the next claimer forgets the steps that
   * did not complete. False when the task is not failed or cancelled.
   */
  retry(id: string, secrets: string | null, now: Date): Promise<boolean>;
  /** For the claimer of a retried task: forget the steps that did not complete, then clear the retry mark. */
  forgetUnfinishedSteps(id: string, token: string): Promise<boolean>;
  /** The janitor: fails processing tasks abandoned `maxAttempts` times, with `reason`; returns their ids. */
  failAbandoned(request: {
    staleBefore: Date;
    maxAttempts: number;
    reason: string;
    now: Date;
  }): Promise<string[]>;
  /**
   * The janitor: deletes the workspaces and sealed step outputs of completed tasks, and of failed or cancelled
   * ones that ended before `retryableAfter` (no longer retried). Returns how many steps it cleared.
   */
  pruneRunState(retryableAfter: Date): Promise<number>;

  // A task's run state. Reads are free; writes of a running task pass its claim token.
  /** Appends events in the order given, in one statement. */
  appendEvents(id: string, events: Array<Omit<StoredEvent, "id">>): Promise<void>;
  /** A task's events in order; `types`: only those (a progress message reads the decisions, not the whole log). */
  events(
    id: string,
    options?: { afterId?: number; limit?: number; types?: string[] },
  ): Promise<StoredEvent[]>;
  /** Upserts the step's state (and the sealed workspace when given, dropping older steps'); false when the claim was lost. */
  saveStep(
    id: string,
    token: string,
    step: Omit<StoredStep, "updatedAt" | "startedAt">,
    workspace: string | undefined,
    now: Date,
  ): Promise<boolean>;
  steps(id: string): Promise<StoredStep[]>;
  workspace(id: string, stepId: string): Promise<string | undefined>;
  /** The kept record under `key`, and whether the claim is still held (checked before an effect runs). */
  checkpoint(id: string, token: string, key: string): Promise<{ held: boolean; record?: string }>;
  saveCheckpoint(id: string, token: string, key: string, record: string): Promise<boolean>;
}
