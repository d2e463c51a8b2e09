import pino from "pino";
import { describe, expect, it } from "vitest";
import type { CommandContext } from "../../plugins/api.ts";
import { approvalCommands } from "./approval-commands.ts";
import type { StoredApproval } from "../../state/approval-store.ts";
import type { StoredTask } from "../../state/scaffold-task-store.ts";
import { ApprovalDecisions, type DecisionRequest } from "./approval-decisions.ts";

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

/**
 * The commands over real decisions, with the task and its approval in memory: what the person pressing is
 * answered, and what was written (approvals-durable.test.ts covers the same against a database).
 */
function decidingCommands(allowSelfApproval = false) {
  const taskId = "3f2a9c1e-0000-4000-8000-000000000001";
  const approval: StoredApproval = {
    id: "a1",
    taskId,
    stepId: "approve",
    groupRef: "group:default/team-payments",
    message: "Create ledger?",
    status: "pending",
    deadline: null,
    messageRef: null,
    decidedBy: null,
    decidedAt: null,
    createdAt: new Date("2026-12-06T09:00:00.000Z"),
    allowSelfApproval,
  };
  const task = {
    id: taskId,
    status: "waiting",
    templateRef: "template:default/gated",
    createdBy: "user:default/sofia",
  } as StoredTask;
  const written: string[] = [];
  const decisions = new ApprovalDecisions({
    approvals: {
      create: async () => undefined,
      get: async () => approval,
      latest: async () => approval,
      setMessageRef: async () => undefined,
      decide: async (_id, decision) => {
        if (approval.status !== "pending") return false;
        Object.assign(approval, { status: decision.status, decidedBy: decision.by, decidedAt: decision.at });
        written.push(`${decision.status} by ${decision.by}`);
        return true;
      },
    },
    tasks: {
      get: async (id) => (id === taskId ? task : undefined),
      list: async () => [task],
      appendEvents: async (_id, events) => {
        written.push(...events.map((e) => `event: ${e.message}`));
      },
      wake: async () => {
        written.push("woken");
      },
    },
    groupsOf: () => ["group:default/team-payments"],
    outbox: {
      post: async () => {
        throw new Error("nothing is posted here");
      },
      update: async (ref) => ref,
    },
    audit: {
      append: async (entry) => {
        written.push(`audit: ${entry.action} by ${entry.actor}`);
      },
    },
    log: pino({ level: "silent" }),
    now: () => new Date("2026-12-06T10:00:00.000Z"),
  });
  const [approve, reject] = approvalCommands(decisions);
  return { approve: approve!, reject: reject!, written, approval, taskId };
}

describe("scaffold approve by the person who asked for the task", () => {
  it("is refused, naming the task and the group, and writes nothing", async () => {
    const { approve, written, approval, taskId } = decidingCommands();
    const answer = await approve.handler(ctx(`${taskId.slice(0, 8)} approve`, "user:default/sofia"));
    expect(answer.ephemeral).toBe(true);
    expect(answer.text).toBe(
      `You asked for task ${taskId}, so you may not approve it yourself: another member of ` +
        "group:default/team-payments must approve it. You may still reject or cancel it.",
    );
    expect(JSON.stringify(answer.blocks)).toContain("Not approved.");
    expect(written).toEqual([]);
    expect(approval.status).toBe("pending");
  });

  it("leaves the approval to another member, and the requester may still reject", async () => {
    const others = decidingCommands();
    expect((await others.approve.handler(ctx(others.taskId, "user:default/daniel"))).text).toMatch(
      /^Approved by user:default\/daniel at 2026-12-06T10:00:00.000Z: task /,
    );
    expect(others.written).toContain("approved by user:default/daniel");

    const own = decidingCommands();
    await own.approve.handler(ctx(own.taskId, "user:default/sofia"));
    expect((await own.reject.handler(ctx(own.taskId, "user:default/sofia"))).text).toMatch(
      /^Rejected by user:default\/sofia at /,
    );
    expect(own.written).toEqual([
      "rejected by user:default/sofia",
      "event: Rejected by user:default/sofia at 2026-12-06T10:00:00.000Z",
      "woken",
      "audit: scaffold.rejected by user:default/sofia",
    ]);
  });

  it("is taken when the step allows self-approval, and only then", async () => {
    for (const allowed of [false, true]) {
      const { approve, written, taskId } = decidingCommands(allowed);
      const answer = await approve.handler(ctx(taskId, "user:default/sofia"));
      expect(answer.text.startsWith("Approved by user:default/sofia at ")).toBe(allowed);
      expect(written[0]).toBe(allowed ? "approved by user:default/sofia" : undefined);
    }
  });
});
