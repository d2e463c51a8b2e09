import pino from "pino";
import { describe, expect, it } from "vitest";
import type { CommandContext } from "../../plugins/api.ts";
import { approvalCommands } from "./approval-commands.ts";
import type { ApprovalDecisions, DecisionRequest } from "./approval-decisions.ts";

/** The commands' parsing, with the decisions recorded instead of made (approvals-durable.test.ts makes them). */
function commands() {
  const asked: DecisionRequest[] = [];
  const decisions = {
    decide: async (request: DecisionRequest) => {
      asked.push(request);
      return { ok: true as const, message: "Approved by user:default/sofia at 2026-12-06T09:00:00.000Z" };
    },
  } as unknown as ApprovalDecisions;
  const [approve, reject] = approvalCommands(decisions);
  return { approve: approve!, reject: reject!, asked };
}

function ctx(args: string, catalogRef?: string): CommandContext {
  return {
    args,
    flags: {},
    text: `scaffold approve ${args}`,
    user: { surface: "slack", id: "U035D88AC0F", name: "sofia", ...(catalogRef ? { catalogRef } : {}) },
    conversation: { surface: "slack" },
    log: pino({ level: "silent" }),
  };
}

describe("scaffold approve and scaffold reject", () => {
  it("are the phrases the buttons run", () => {
    const { approve, reject } = commands();
    expect(approve.phrases).toEqual(["scaffold approve"]);
    expect(reject.phrases).toEqual(["scaffold reject"]);
  });

  it("decide as the person, by task and optional step, answering them alone", async () => {
    const { approve, reject, asked } = commands();
    const answer = await approve.handler(ctx("3f2a9c1e approve", "user:default/sofia"));
    expect(answer.ephemeral).toBe(true);
    expect(answer.text).toBe("Approved by user:default/sofia at 2026-12-06T09:00:00.000Z");
    await reject.handler(ctx("3f2a9c1e"));
    expect(asked).toEqual([
      {
        task: "3f2a9c1e",
        step: "approve",
        decision: "approved",
        userRef: "user:default/sofia",
        who: "slack:sofia",
      },
      { task: "3f2a9c1e", decision: "rejected", who: "slack:sofia" },
    ]);
  });

  it.each([
    ["nothing", ""],
    ["blanks", "   "],
    ["three words", "a b c"],
    ["10,000 characters", "x ".repeat(5000)],
  ])("answers %s with the usage, deciding nothing", async (_label, args) => {
    const { approve, asked } = commands();
    const answer = await approve.handler(ctx(args, "user:default/sofia"));
    expect(answer.text).toBe("Usage: scaffold approve <task id> [step id]");
    expect(answer.ephemeral).toBe(true);
    expect(asked).toEqual([]);
  });
});
