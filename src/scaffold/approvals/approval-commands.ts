import type { ChatCommand, CommandContext } from "../../plugins/api.ts";
import { context, reply, section, type Reply } from "../../message/reply.ts";
import type { ApprovalDecisions } from "./approval-decisions.ts";

/**
 * `scaffold approve <task> [step]` and `scaffold reject <task> [step]`: what the approval buttons run, as the
 * person pressing them; typed, they work the same. Answers only the person (the approval message itself is
 * updated in place for everyone).
 */
export function approvalCommands(decisions: ApprovalDecisions): ChatCommand[] {
  return (["approve", "reject"] as const).map((verb) => ({
    name: `scaffold-${verb}`,
    phrases: [`scaffold ${verb}`],
    summary: `${verb === "approve" ? "Approve" : "Reject"} a scaffolder task waiting for your group's approval`,
    usage: `scaffold ${verb} <task id> [step id]`,
    examples: [`scaffold ${verb} 3f2a9c1e`],
    handler: (ctx: CommandContext) => decide(decisions, verb, ctx),
  }));
}

async function decide(
  decisions: ApprovalDecisions,
  verb: "approve" | "reject",
  ctx: CommandContext,
): Promise<Reply> {
  const [task, step, ...rest] = ctx.args.slice(0, 500).split(/\s+/).filter(Boolean);
  if (!task || rest.length > 0) {
    return {
      ...reply(
        `Usage: scaffold ${verb} <task id> [step id]`,
        section(
          `Usage: \`scaffold ${verb} <task id> [step id]\`; the task id is the one the approval message shows.`,
        ),
      ),
      ephemeral: true,
    };
  }
  const result = await decisions.decide({
    task,
    ...(step ? { step } : {}),
    decision: verb === "approve" ? "approved" : "rejected",
    ...(ctx.user.catalogRef ? { userRef: ctx.user.catalogRef } : {}),
    who: `${ctx.user.surface}:${ctx.user.name ?? ctx.user.id}`,
  });
  if (result.ok) return { ...reply(result.message, section(result.message)), ephemeral: true };
  return {
    ...reply(
      result.reason,
      section(result.reason),
      context(`Not ${verb === "approve" ? "approved" : "rejected"}.`),
    ),
    ephemeral: true,
  };
}
