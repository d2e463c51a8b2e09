import { randomUUID } from "node:crypto";
import type { Entity } from "../../catalog/model/entity.ts";
import { parseEntityRef, stringifyEntityRef } from "../../catalog/model/ref.ts";
import type { MessageRef, Outbox } from "../../plugins/outbox.ts";
import type { ApprovalStore, StoredApproval } from "../../state/approval-store.ts";
import { ScaffolderInputError, type ActionContext, type ScaffolderAction } from "../actions/action.ts";
import { TaskParkedError } from "../runner/task-parked.ts";
import { approvalPlaces, type ApprovalPlace } from "./approval-channel.ts";
import { describeDuration, parseApprovalTimeout } from "./approval-duration.ts";
import { approvalReply } from "./approval-message.ts";

export const APPROVAL_ACTION_ID = "callboard:approval";

// A type, not an interface, so it fits the action registry's JSON object input.
export type ApprovalInput = {
  group: string;
  message: string;
  timeout?: string;
  allowSelfApproval?: boolean;
};

export interface ApprovalActionDeps {
  approvals: ApprovalStore;
  outbox: Outbox;
  /** A catalog entity by ref (the approving group). */
  entity(ref: string): Entity | undefined;
  /** CALLBOARD_SCAFFOLD_APPROVAL_CHANNEL: where approvals go when the group names no channel. */
  defaultChannel?: string;
  now?: () => Date;
}

export const approvalInputSchema = {
  type: "object",
  required: ["group", "message"],
  additionalProperties: false,
  properties: {
    group: {
      type: "string",
      title: "Approving group",
      description:
        "The catalog Group whose members may approve (group:default/team-payments, or team-payments). " +
        "The buttons go to its channel (slack.com/channel-id) or to CALLBOARD_SCAFFOLD_APPROVAL_CHANNEL.",
      minLength: 1,
      maxLength: 300,
    },
    message: {
      type: "string",
      title: "What to approve",
      description: "Shown above the Approve and Reject buttons.",
      minLength: 1,
      maxLength: 2000,
    },
    timeout: {
      type: "string",
      title: "Timeout",
      description:
        "How long to wait for a decision (30m, 2h, 1d, or ISO 8601 such as PT2H); then the step fails. " +
        "Without it the task waits until someone decides or it is cancelled.",
      maxLength: 64,
    },
    allowSelfApproval: {
      type: "boolean",
      title: "Let the requester approve",
      description:
        "By default whoever asked for the task may not approve it themselves (they may reject or cancel it): " +
        "another member of the group must. true lets the requester approve too, for teams of one or two.",
      default: false,
    },
  },
} as const;

export const approvalOutputSchema = {
  type: "object",
  required: ["approved", "decidedBy", "decidedAt"],
  properties: {
    approved: { type: "boolean", title: "Whether the group approved" },
    decidedBy: { type: "string", title: "The catalog User ref of who decided" },
    decidedAt: { type: "string", format: "date-time", title: "When they decided (ISO 8601)" },
  },
} as const;

/**
 * `callboard:approval`: posts Approve and Reject buttons into the approving group's channel and waits,
 * durably, until one of its members decides. Waiting is not running: the step parks the task (no worker holds
 * it); a decision (`scaffold approve`, the button) wakes it and any worker runs the step again, which then
 * finds the decision and outputs it; a timeout wakes it too, and the step fails saying nobody decided. Each
 * run looks the approval up first, so a resumed or restarted step never posts twice.
 */
export function approvalAction(deps: ApprovalActionDeps): ScaffolderAction<ApprovalInput> {
  const now = deps.now ?? (() => new Date());
  return {
    id: APPROVAL_ACTION_ID,
    description:
      "Asks a catalog group to approve in chat (Approve and Reject buttons in its channel) and waits for a member's decision.",
    schema: { input: approvalInputSchema, output: approvalOutputSchema },
    // A dry run asks nobody and assumes approval, so it shows what the gated steps would do.
    supportsDryRun: true,
    examples: [
      {
        description: "Wait up to a day for the platform team before creating the repository.",
        example: [
          "steps:",
          "  - id: approve",
          "    name: Platform approval",
          "    action: callboard:approval",
          "    input:",
          "      group: group:default/team-platform",
          "      message: Create repository ${{ parameters.name }}?",
          "      timeout: 1d",
          "  - id: publish",
          "    if: ${{ steps.approve.output.approved }}",
          "    action: publish:github",
        ].join("\n"),
      },
    ],
    async handler(ctx) {
      const where = `Step "${ctx.step.id}" (${APPROVAL_ACTION_ID})`;
      const groupRef = groupRefOf(ctx.input.group, where);
      const group = deps.entity(groupRef);
      let timeoutMs: number | undefined;
      try {
        timeoutMs = ctx.input.timeout ? parseApprovalTimeout(ctx.input.timeout) : undefined;
      } catch (error) {
        throw new ScaffolderInputError(`${where}: ${(error as Error).message}`);
      }
      const missing = `the group ${groupRef} is not in the catalog, so nobody could approve`;
      if (ctx.isDryRun) {
        if (!group) ctx.logger.warn(`Dry run: ${missing}; a real run fails here.`);
        const place = group
          ? approvalPlaces({ ref: groupRef, entity: group }, deps.defaultChannel)[0]
          : undefined;
        const waiting = timeoutMs === undefined ? "" : `, waiting up to ${describeDuration(timeoutMs)}`;
        ctx.logger.info(
          place
            ? `Dry run: would ask ${groupRef} in ${place.source}${waiting}; assuming it approves.`
            : `Dry run: found no channel to ask ${groupRef} in, so a real run fails here (give the group a slack.com/channel-id or callboard.dev/teams-conversation-id annotation, or set CALLBOARD_SCAFFOLD_APPROVAL_CHANNEL); assuming it approves.`,
        );
        ctx.output("approved", true);
        ctx.output("decidedBy", ctx.user.ref ?? "dry-run");
        ctx.output("decidedAt", now().toISOString());
        return;
      }
      if (!group) throw new ScaffolderInputError(`${where}: ${missing}. Name a Group entity.`);
      let approval = await deps.approvals.latest(ctx.task.id, ctx.step.id);
      // None yet, or one from an earlier run that expired (the task was retried): ask again.
      if (!approval || approval.status === "expired") {
        const created = now();
        await deps.approvals.create({
          id: randomUUID(),
          taskId: ctx.task.id,
          stepId: ctx.step.id,
          groupRef,
          message: ctx.input.message,
          allowSelfApproval: ctx.input.allowSelfApproval === true,
          deadline: timeoutMs === undefined ? null : new Date(created.getTime() + timeoutMs),
          createdAt: created,
        });
        approval = (await deps.approvals.latest(ctx.task.id, ctx.step.id))!;
      }
      const info = {
        ...(ctx.templateInfo.entityRef ? { templateRef: ctx.templateInfo.entityRef } : {}),
        ...(ctx.user.ref ? { requestedBy: ctx.user.ref } : {}),
      };

      if (approval.status === "pending" && !approval.messageRef) {
        const posted = await post(
          deps,
          approval,
          approvalPlaces({ ref: groupRef, entity: group }, deps.defaultChannel),
          info,
          where,
        );
        await deps.approvals.setMessageRef(approval.id, JSON.stringify(posted.ref));
        approval.messageRef = JSON.stringify(posted.ref);
        ctx.logger.info(`Asked ${groupRef} for approval in ${posted.source}: ${approval.message}`);
      }

      if (approval.status === "pending") {
        const deadline = approval.deadline;
        if (deadline && now().getTime() >= deadline.getTime()) {
          if (await deps.approvals.decide(approval.id, { status: "expired", by: null, at: now() })) {
            const expired = (await deps.approvals.get(approval.id))!;
            await updateMessage(deps.outbox, expired, info, ctx);
            const waited = describeDuration(deadline.getTime() - approval.createdAt.getTime());
            throw new ScaffolderInputError(
              `${where}: nobody in ${groupRef} approved or rejected within ${waited}, so the approval expired at ` +
                `${deadline.toISOString()}. Retry the task to ask again.`,
            );
          }
          approval = (await deps.approvals.get(approval.id))!;
        } else {
          ctx.logger.info(
            `Waiting for a member of ${groupRef} to approve or reject` +
              (deadline ? `, until ${deadline.toISOString()}` : "") +
              "; the task is parked and resumes when someone decides.",
          );
          throw new TaskParkedError(`task ${ctx.task.id} waits for ${groupRef} to approve`, deadline);
        }
      }
      decided(ctx, approval);
    },
  };
}

/** The step's output once decided, and the decision in its log. */
function decided(ctx: ActionContext<ApprovalInput>, approval: StoredApproval): void {
  const approved = approval.status === "approved";
  const at = (approval.decidedAt ?? new Date()).toISOString();
  ctx.logger.info(`${approved ? "Approved" : "Rejected"} by ${approval.decidedBy} at ${at}`);
  ctx.output("approved", approved);
  ctx.output("decidedBy", approval.decidedBy ?? "");
  ctx.output("decidedAt", at);
}

function groupRefOf(text: string, where: string): string {
  try {
    const ref = parseEntityRef(text.trim(), { defaultKind: "group", defaultNamespace: "default" });
    if (ref.kind.toLowerCase() !== "group") throw new Error(`it names a ${ref.kind}, not a Group`);
    return stringifyEntityRef(ref);
  } catch (error) {
    throw new ScaffolderInputError(
      `${where}: group "${text.slice(0, 200)}" is not a Group entity ref (${(error as Error).message}); write it like group:default/team-payments.`,
    );
  }
}

/** Posts the approval to the first place that takes it; the error names every place tried and why. */
async function post(
  deps: ApprovalActionDeps,
  approval: StoredApproval,
  places: ApprovalPlace[],
  info: { templateRef?: string; requestedBy?: string },
  where: string,
): Promise<{ ref: MessageRef; source: string }> {
  if (places.length === 0) {
    throw new ScaffolderInputError(
      `${where}: ${approval.groupRef} has no channel to ask in. Give the group a slack.com/channel-id (or ` +
        "callboard.dev/teams-conversation-id) annotation, or set CALLBOARD_SCAFFOLD_APPROVAL_CHANNEL.",
    );
  }
  const problems: string[] = [];
  for (const place of places) {
    try {
      return {
        ref: await deps.outbox.post(place.address, approvalReply(approval, info)),
        source: place.source,
      };
    } catch (error) {
      problems.push(`${place.source}: ${(error as Error).message}`);
    }
  }
  throw new Error(`${where}: the approval could not be posted anywhere. ${problems.join(" ")}`);
}

async function updateMessage(
  outbox: Outbox,
  approval: StoredApproval,
  info: { templateRef?: string; requestedBy?: string },
  ctx: ActionContext<ApprovalInput>,
): Promise<void> {
  if (!approval.messageRef) return;
  try {
    await outbox.update(JSON.parse(approval.messageRef) as MessageRef, approvalReply(approval, info));
  } catch (error) {
    ctx.logger.warn(`The approval message could not be updated: ${(error as Error).message}`);
  }
}
