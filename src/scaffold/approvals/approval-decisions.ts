import type { Logger } from "pino";
import type { MessageRef, Outbox } from "../../plugins/outbox.ts";
import type { ApprovalStore, StoredApproval } from "../../state/approval-store.ts";
import type { StoredTask, TaskStore } from "../../state/scaffold-task-store.ts";
import { DECISION_EVENT } from "../tasks/scaffold-tasks.ts";
import { findTask } from "../tasks/find-task.ts";
import { auditQuietly, type AuditTrail } from "../tasks/task-execution.ts";
import { approvalReply } from "./approval-message.ts";

export interface ApprovalDecisionsOptions {
  approvals: ApprovalStore;
  tasks: Pick<TaskStore, "get" | "list" | "appendEvents" | "wake">;
  /** A catalog User's groups, with the groups above them (a team's department counts). */
  groupsOf(userRef: string): string[];
  outbox: Outbox;
  audit: AuditTrail;
  log: Logger;
  /** Look for tasks now in this process (a decision woke one); other replicas find it when they poll. */
  nudge?: () => void;
  now?: () => Date;
}

export interface DecisionRequest {
  /** The task's id, or the first characters of it (at least 8). */
  task: string;
  /** The approval step; the task's newest approval when absent. */
  step?: string;
  decision: "approved" | "rejected";
  /** The person deciding: their catalog User ref when Callboard knows it, and how to name them otherwise. */
  userRef?: string;
  who: string;
}

export type DecisionResult = { ok: true; message: string } | { ok: false; reason: string };

const ENDED = new Set(["completed", "failed", "cancelled"]);

/**
 * Approving or rejecting a waiting task, as `scaffold approve` / `scaffold reject` (and the buttons, which run
 * them as the person pressing). Only a member of the approval's group decides, and not the task's requester
 * approving their own task (four eyes; they may reject it, and the step's `allowSelfApproval` lets them
 * approve); the first decision wins (one conditional update), a later one is told who decided and when. The decision goes into the task's log, the
 * approval message is updated in place, and the task is woken: any worker resumes it.
 */
export class ApprovalDecisions {
  private readonly now: () => Date;

  constructor(private readonly options: ApprovalDecisionsOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async decide(request: DecisionRequest): Promise<DecisionResult> {
    const { approvals, tasks } = this.options;
    const task = await findTask(tasks, request.task);
    if (typeof task === "string") return { ok: false, reason: task };
    const approval = await approvals.latest(task.id, request.step);
    if (!approval) {
      return {
        ok: false,
        reason: `Task ${task.id} has no approval${request.step ? ` at step "${request.step}"` : ""} to decide.`,
      };
    }
    const verb = request.decision === "approved" ? "approve" : "reject";
    if (approval.status === "expired" && task.status === "cancelled") {
      // Closed by the cancel, not by its time running out: say what happened to the task.
      return {
        ok: false,
        reason: `Task ${task.id} has already ended (cancelled); there is nothing to ${verb}.`,
      };
    }
    if (approval.status !== "pending") return { ok: false, reason: alreadyDecided(approval) };
    if (ENDED.has(task.status)) {
      // Closed, so a retry of the task asks afresh rather than waiting on a message without buttons.
      const closedAt = this.now();
      if (await approvals.decide(approval.id, { status: "expired", by: null, at: closedAt })) {
        await this.updateMessage(
          { ...approval, status: "expired", decidedAt: closedAt },
          task,
          task.status,
          task.error ?? undefined,
        );
      }
      return {
        ok: false,
        reason: `Task ${task.id} has already ended (${task.status}); there is nothing to ${verb}.`,
      };
    }
    if (!request.userRef) {
      return {
        ok: false,
        reason:
          `Only members of ${approval.groupRef} may ${verb} task ${task.id}, and Callboard does not know which ` +
          `catalog User you are (${request.who} matches none), so it cannot tell your groups.`,
      };
    }
    const groups = this.options.groupsOf(request.userRef.toLowerCase());
    if (!groups.includes(approval.groupRef.toLowerCase())) {
      return {
        ok: false,
        reason:
          `Only members of ${approval.groupRef} may ${verb} task ${task.id}; ${request.userRef} is ` +
          (groups.length > 0 ? `in ${groups.join(", ")}.` : "in no group in the catalog.") +
          ` Ask a member of ${approval.groupRef} to decide.`,
      };
    }
    const now = this.now();
    if (approval.deadline && now.getTime() >= approval.deadline.getTime()) {
      // Past its time: the waiting step expires it when it wakes; wake it now rather than at its next poll.
      await tasks.wake(task.id, now);
      this.options.nudge?.();
      return {
        ok: false,
        reason: `The approval for task ${task.id} expired at ${approval.deadline.toISOString()}; retry the task to ask again.`,
      };
    }
    if (
      request.decision === "approved" &&
      !approval.allowSelfApproval &&
      task.createdBy.toLowerCase() === request.userRef.toLowerCase()
    ) {
      // Refused before anything is written: the approval stays pending and its buttons stay live for the others.
      // Rejecting is still theirs to do (like cancelling, it only stops what they asked for).
      return {
        ok: false,
        reason:
          `You asked for task ${task.id}, so you may not approve it yourself: another member of ` +
          `${approval.groupRef} must approve it. You may still reject or cancel it.`,
      };
    }
    if (!(await approvals.decide(approval.id, { status: request.decision, by: request.userRef, at: now }))) {
      const current = await approvals.get(approval.id);
      return {
        ok: false,
        reason: current ? alreadyDecided(current) : `The approval for task ${task.id} is gone.`,
      };
    }
    const decided: StoredApproval = {
      ...approval,
      status: request.decision,
      decidedBy: request.userRef,
      decidedAt: now,
    };
    const words = `${request.decision === "approved" ? "Approved" : "Rejected"} by ${request.userRef} at ${now.toISOString()}`;
    await tasks.appendEvents(task.id, [
      // An event of its own kind, so the progress message shows it on its step without reading the whole log.
      {
        at: now,
        stepId: approval.stepId,
        type: DECISION_EVENT,
        level: "info",
        message: words,
        status: request.decision,
      },
    ]);
    await tasks.wake(task.id, now);
    this.options.nudge?.();
    await this.audit(request.userRef, `scaffold.${request.decision}`, {
      task: task.id,
      step: approval.stepId,
      group: approval.groupRef,
    });
    await this.updateMessage(decided, task);
    return {
      ok: true,
      message: `${words}: task ${task.id} carries on from step "${approval.stepId}".`,
    };
  }

  /**
   * A waiting task was cancelled: its pending approval is closed (a later press is told the task ended) and its
   * message loses its buttons and says who cancelled, at once.
   */
  async taskCancelled(taskId: string, reason: string): Promise<void> {
    const approval = await this.options.approvals.latest(taskId);
    if (approval?.status !== "pending") return;
    const task = await this.options.tasks.get(taskId);
    if (!task) return;
    const closedAt = this.now();
    if (await this.options.approvals.decide(approval.id, { status: "expired", by: null, at: closedAt })) {
      await this.updateMessage(
        { ...approval, status: "expired", decidedAt: closedAt },
        task,
        "cancelled",
        reason,
      );
    }
  }

  private async updateMessage(
    approval: StoredApproval,
    task: StoredTask,
    endedAs?: string,
    endedBecause?: string,
  ): Promise<void> {
    if (!approval.messageRef) return;
    const reply = approvalReply(approval, {
      templateRef: task.templateRef,
      requestedBy: task.createdBy,
      ...(endedAs ? { endedAs } : {}),
      ...(endedBecause ? { endedBecause } : {}),
    });
    try {
      await this.options.outbox.update(JSON.parse(approval.messageRef) as MessageRef, reply);
    } catch (error) {
      // The decision stands (it is stored and the task carries on); only the message shows the old state.
      this.options.log.warn({ err: error, task: task.id }, "could not update an approval message");
    }
  }

  private async audit(actor: string, action: string, detail: Record<string, unknown>): Promise<void> {
    await auditQuietly(this.options.audit, this.options.log, actor, action, detail);
  }
}

function alreadyDecided(approval: StoredApproval): string {
  const at = approval.decidedAt?.toISOString() ?? "an earlier time";
  if (approval.status === "expired") {
    return `The approval for task ${approval.taskId} expired at ${at}; nobody can decide it now. Retry the task to ask again.`;
  }
  return `Task ${approval.taskId} was already ${approval.status} by ${approval.decidedBy ?? "someone"} at ${at}.`;
}
