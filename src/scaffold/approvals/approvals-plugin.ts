import type { Entity } from "../../catalog/model/entity.ts";
import type { Plugin } from "../../plugins/api.ts";
import type { ApprovalStore } from "../../state/approval-store.ts";
import type { TaskStore } from "../../state/scaffold-task-store.ts";
import type { CancelListener } from "../tasks/scaffold-tasks.ts";
import type { AuditTrail } from "../tasks/task-execution.ts";
import { approvalAction } from "./approval-action.ts";
import { approvalCommands } from "./approval-commands.ts";
import { ApprovalDecisions } from "./approval-decisions.ts";

export interface ApprovalsPluginDeps {
  approvals: ApprovalStore;
  tasks: Pick<TaskStore, "get" | "list" | "appendEvents" | "wake">;
  /** A catalog entity by ref (the approving group). */
  entity(ref: string): Entity | undefined;
  /** A catalog User's groups, with the groups above them. */
  groupsOf(userRef: string): string[];
  audit: AuditTrail;
  /** CALLBOARD_SCAFFOLD_APPROVAL_CHANNEL. */
  defaultChannel?: string;
  /** Look for tasks now in this process (a decision woke one). */
  nudge?: () => void;
  /** Subscribes to tasks a person cancelled at once (ScaffoldTasks.onCancelled): their approval messages retire. */
  onTaskCancelled?: (listener: CancelListener) => void;
  now?: () => Date;
}

/** Approvals in chat: the `callboard:approval` action and the `scaffold approve` / `scaffold reject` commands. */
export function approvalsPlugin(deps: ApprovalsPluginDeps): Plugin {
  return {
    id: "scaffold-approvals",
    register(api) {
      api.addAction(
        approvalAction({
          approvals: deps.approvals,
          outbox: api.outbox,
          entity: deps.entity,
          ...(deps.defaultChannel ? { defaultChannel: deps.defaultChannel } : {}),
          ...(deps.now ? { now: deps.now } : {}),
        }),
      );
      const decisions = new ApprovalDecisions({
        approvals: deps.approvals,
        tasks: deps.tasks,
        groupsOf: deps.groupsOf,
        outbox: api.outbox,
        audit: deps.audit,
        log: api.log,
        ...(deps.nudge ? { nudge: deps.nudge } : {}),
        ...(deps.now ? { now: deps.now } : {}),
      });
      for (const command of approvalCommands(decisions)) api.addCommand(command);
      deps.onTaskCancelled?.(({ taskId, reason }) => decisions.taskCancelled(taskId, reason));
    },
  };
}
