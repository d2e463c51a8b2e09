import {
  actions,
  context,
  escapeText,
  fields,
  header,
  section,
  type Field,
  type Reply,
} from "../../message/reply.ts";
import type { StoredApproval } from "../../state/approval-store.ts";

/** What the approval message says about the task besides the approval itself. */
export interface ApprovalTaskInfo {
  templateRef?: string;
  requestedBy?: string;
  /** Set when the task ended before anyone decided (it was cancelled): the message says so, without buttons. */
  endedAs?: string;
  /** Why it ended, as the task keeps it: "Cancelled by user:default/jane while it waited for an approval." */
  endedBecause?: string;
}

/**
 * The commands the buttons run, as the person pressing them (so the router knows who decides). A step id with
 * spaces cannot be a command word: the button then names the task alone (its newest approval).
 */
export function approveCommand(approval: Pick<StoredApproval, "taskId" | "stepId">): string {
  return `scaffold approve ${target(approval)}`;
}
export function rejectCommand(approval: Pick<StoredApproval, "taskId" | "stepId">): string {
  return `scaffold reject ${target(approval)}`;
}
function target(approval: Pick<StoredApproval, "taskId" | "stepId">): string {
  return /^[\w.:-]{1,100}$/.test(approval.stepId) ? `${approval.taskId} ${approval.stepId}` : approval.taskId;
}

/** Who may approve: the group's members, but for the requester unless the step lets them (four eyes). */
function approvers(approval: StoredApproval, requestedBy: string | undefined): string {
  const members = `members of ${escapeText(approval.groupRef)}`;
  return requestedBy && !approval.allowSelfApproval
    ? `${members} other than ${escapeText(requestedBy)}`
    : members;
}

/**
 * The approval as a message: the question with Approve and Reject buttons while it is pending, then the same
 * message, updated in place, saying who decided and when (or that it expired), without buttons.
 */
export function approvalReply(approval: StoredApproval, task: ApprovalTaskInfo = {}): Reply {
  const details: Field[] = [
    { label: "Task", value: `\`${approval.taskId}\`` },
    { label: "Approvers", value: approvers(approval, task.requestedBy) },
  ];
  if (task.templateRef) details.push({ label: "Template", value: escapeText(task.templateRef) });
  if (task.requestedBy) details.push({ label: "Requested by", value: escapeText(task.requestedBy) });
  const message = section(escapeText(approval.message));
  const when = (date: Date | null) => (date ? date.toISOString().replace(/\.\d{3}Z$/, "Z") : "");

  if (approval.status === "approved" || approval.status === "rejected") {
    const verb = approval.status === "approved" ? "Approved" : "Rejected";
    const by = `${verb} by ${escapeText(approval.decidedBy ?? "someone")} at ${when(approval.decidedAt)}`;
    return {
      text: `${verb}: ${approval.message} (${by})`,
      blocks: [
        header(`${verb}: approval for task ${approval.taskId.slice(0, 8)}`),
        message,
        fields(...details),
        context(`**${by}**`),
      ],
    };
  }
  if (task.endedAs) {
    const because = task.endedBecause ? ` ${task.endedBecause}` : "";
    return {
      text: `No longer needed (the task was ${task.endedAs}): ${approval.message}${because ? ` (${because.trim()})` : ""}`,
      blocks: [
        header(`No longer needed: approval for task ${approval.taskId.slice(0, 8)}`),
        message,
        fields(...details),
        context(`The task was ${escapeText(task.endedAs)} before anyone decided.${escapeText(because)}`),
      ],
    };
  }
  if (approval.status === "expired") {
    const note = `Expired at ${when(approval.decidedAt ?? approval.deadline)}: nobody decided in time, so the task failed at step "${escapeText(approval.stepId)}". Retry the task to ask again.`;
    return {
      text: `Approval expired: ${approval.message}`,
      blocks: [
        header(`Expired: approval for task ${approval.taskId.slice(0, 8)}`),
        message,
        fields(...details),
        context(note),
      ],
    };
  }
  const deadline = approval.deadline
    ? `Decide by ${when(approval.deadline)}; after that the task fails.`
    : "";
  return {
    text: `Approval needed from ${approval.groupRef}: ${approval.message}`,
    blocks: [
      header(`Approval needed: task ${approval.taskId.slice(0, 8)}`),
      message,
      fields(...details),
      ...(deadline ? [context(deadline)] : []),
      actions(
        { label: "Approve", command: approveCommand(approval), style: "primary" },
        { label: "Reject", command: rejectCommand(approval), style: "danger" },
      ),
    ],
  };
}
