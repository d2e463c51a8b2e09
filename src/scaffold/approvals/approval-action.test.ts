import { describe, expect, it } from "vitest";
import { InstalledActions } from "../actions/installed-actions.ts";
import type { StoredApproval } from "../../state/approval-store.ts";
import { approvalAction } from "./approval-action.ts";
import { approvalPlaces, parseApprovalChannel } from "./approval-channel.ts";
import { describeDuration, parseApprovalTimeout } from "./approval-duration.ts";
import { approvalReply, approveCommand, rejectCommand } from "./approval-message.ts";

const action = approvalAction({
  approvals: {
    create: async () => undefined,
    get: async () => undefined,
    latest: async () => undefined,
    setMessageRef: async () => undefined,
    decide: async () => false,
  },
  outbox: {
    post: async () => {
      throw new Error("not in this test");
    },
    update: async (ref) => ref,
  },
  entity: () => undefined,
});
const installed = new InstalledActions([action]);
const check = (input: unknown) => () => installed.checkInput(action, input, 'Step "approve"');

describe("callboard:approval's schema", () => {
  it("takes a group, a message and an optional timeout", () => {
    expect(check({ group: "team-payments", message: "Ship it?" })).not.toThrow();
    expect(check({ group: "group:default/team-payments", message: "Ship it?", timeout: "2h" })).not.toThrow();
  });

  it("takes allowSelfApproval, a boolean, for teams too small for four eyes", () => {
    expect(check({ group: "team-payments", message: "Ship it?", allowSelfApproval: true })).not.toThrow();
    expect(check({ group: "team-payments", message: "Ship it?", allowSelfApproval: false })).not.toThrow();
  });

  it.each([
    ["null", null, "must be a set of fields"],
    ["no group", { message: "Ship it?" }, "group"],
    ["no message", { group: "team-payments" }, "message"],
    ["a number for the group", { group: 42, message: "m" }, "group"],
    ["an empty group", { group: "", message: "m" }, "group"],
    ["a huge message", { group: "g", message: "m".repeat(2001) }, "message"],
    ["a number for the timeout", { group: "g", message: "m", timeout: 7200 }, "timeout"],
    ["an unknown field", { group: "g", message: "m", approvers: ["x"] }, "approvers"],
    [
      "a string for allowSelfApproval",
      { group: "g", message: "m", allowSelfApproval: "yes" },
      "allowSelfApproval",
    ],
  ])("refuses %s, naming the field", (_label, input, field) => {
    expect(check(input)).toThrow(/Step "approve": the input to callboard:approval does not fit its schema/);
    expect(check(input)).toThrow(new RegExp(field));
  });

  it("declares the output later steps use: approved, decidedBy, decidedAt", () => {
    const output = action.schema!.output as { required: string[]; properties: Record<string, unknown> };
    expect(output.required).toEqual(["approved", "decidedBy", "decidedAt"]);
    expect(() =>
      installed.checkOutput(
        action,
        { approved: true, decidedBy: "user:default/sofia", decidedAt: "2026-12-06T09:00:00Z" },
        "s",
      ),
    ).not.toThrow();
    expect(() => installed.checkOutput(action, { approved: "yes" }, "s")).toThrow(/approved|decidedBy/);
  });
});

describe("callboard:approval in a dry run", () => {
  it("asks nobody, says where it would ask, and assumes approval so the gated steps show", async () => {
    const posts: unknown[] = [];
    const dry = approvalAction({
      approvals: {
        create: async () => Promise.reject(new Error("a dry run stores nothing")),
        get: async () => undefined,
        latest: async () => Promise.reject(new Error("a dry run reads no approval")),
        setMessageRef: async () => undefined,
        decide: async () => false,
      },
      outbox: {
        post: async (address) => {
          posts.push(address);
          return { address, id: "1" };
        },
        update: async (ref) => ref,
      },
      entity: (ref) =>
        ref === "group:default/team-payments"
          ? {
              apiVersion: "backstage.io/v1alpha1",
              kind: "Group",
              metadata: { name: "team-payments", annotations: { "slack.com/channel-id": "C27FB98F96" } },
            }
          : undefined,
      now: () => new Date("2026-12-06T09:00:00.000Z"),
    });
    const lines: string[] = [];
    const output: Record<string, unknown> = {};
    const log = (line: string) => void lines.push(line);
    await dry.handler({
      input: { group: "team-payments", message: "Ship it?", timeout: "2h" },
      isDryRun: true,
      logger: { info: log, warn: log, error: log, debug: log },
      output: (name: string, value: unknown) => void (output[name] = value),
      user: { ref: "user:default/jane" },
      task: { id: "t1" },
      step: { id: "approve" },
    } as unknown as Parameters<typeof dry.handler>[0]);
    expect(posts).toEqual([]);
    expect(lines).toEqual([
      "Dry run: would ask group:default/team-payments in group:default/team-payments (slack.com/channel-id), waiting up to 2 h; assuming it approves.",
    ]);
    expect(output).toEqual({
      approved: true,
      decidedBy: "user:default/jane",
      decidedAt: "2026-12-06T09:00:00.000Z",
    });
    expect(dry.supportsDryRun).toBe(true);
  });

  it("says plainly when it found no channel to ask in (it said 'would ask … in no channel found')", async () => {
    const dry = approvalAction({
      approvals: {} as never,
      outbox: {} as never,
      entity: () => undefined,
      now: () => new Date("2026-12-06T09:00:00.000Z"),
    });
    const lines: string[] = [];
    const log = (line: string) => void lines.push(line);
    await dry.handler({
      input: { group: "team-ghosts", message: "Ship it?", timeout: "2h" },
      isDryRun: true,
      logger: { info: log, warn: log, error: log, debug: log },
      output: () => undefined,
      user: {},
      task: { id: "t1" },
      step: { id: "approve" },
    } as unknown as Parameters<typeof dry.handler>[0]);
    expect(lines.at(-1)).toBe(
      "Dry run: found no channel to ask group:default/team-ghosts in, so a real run fails here (give the group a slack.com/channel-id or callboard.dev/teams-conversation-id annotation, or set CALLBOARD_SCAFFOLD_APPROVAL_CHANNEL); assuming it approves.",
    );
  });
});

describe("approval timeouts", () => {
  it.each([
    ["90s", 90_000],
    ["30m", 1_800_000],
    ["2h", 7_200_000],
    ["1d", 86_400_000],
    ["1w", 604_800_000],
    ["1h30m", 5_400_000],
    ["PT2H", 7_200_000],
    ["pt1.5h", 5_400_000],
    ["P1DT12H", 129_600_000],
    ["P2W", 1_209_600_000],
    [" 2h ", 7_200_000],
  ])("reads %j", (text, ms) => {
    expect(parseApprovalTimeout(text)).toBe(ms);
  });

  it.each([
    "",
    "2",
    "2 hours",
    "P",
    "PT",
    "P1M",
    "P1Y",
    "-1h",
    "0s",
    "PT0.5S",
    "91d",
    "1".repeat(80) + "h",
    "h2",
  ])("refuses %j with what to write instead", (text) => {
    expect(() => parseApprovalTimeout(text)).toThrow(
      /write it like 30m, 2h, 1d, 1h30m or as an ISO 8601 duration/,
    );
  });

  it("reads a long run of units in linear time and says durations in words", () => {
    expect(() => parseApprovalTimeout("1s".repeat(10_000))).toThrow(/is not a duration/);
    expect(describeDuration(5_400_000)).toBe("1 h 30 min");
    expect(describeDuration(1000)).toBe("1 s");
    expect(describeDuration(90_061_000)).toBe("1 d 1 h 1 min 1 s");
  });
});

describe("where an approval is asked", () => {
  const group = (annotations: Record<string, string>) => ({
    ref: "group:default/team-payments",
    entity: { metadata: { name: "team-payments", annotations } },
  });

  it("uses the group's Slack channel, then its Teams conversation, then the configured default", () => {
    const places = approvalPlaces(
      group({
        "slack.com/channel-id": "C27FB98F96",
        "callboard.dev/teams-conversation-id": "19:abc@thread.tacv2",
      }),
      "slack:C0DEFAULT1",
    );
    expect(places.map((p) => [p.address, p.source])).toEqual([
      [{ adapter: "slack", channel: "C27FB98F96" }, "group:default/team-payments (slack.com/channel-id)"],
      [
        { adapter: "teams", conversation: "19:abc@thread.tacv2" },
        "group:default/team-payments (callboard.dev/teams-conversation-id)",
      ],
      [{ adapter: "slack", channel: "C0DEFAULT1" }, "CALLBOARD_SCAFFOLD_APPROVAL_CHANNEL"],
    ]);
  });

  it("takes Backstage's slack.com/bot-notify when it is a channel, never a user or a name", () => {
    expect(approvalPlaces(group({ "slack.com/bot-notify": "C05PAYINC1" }), undefined)[0]?.address).toEqual({
      adapter: "slack",
      channel: "C05PAYINC1",
    });
    expect(approvalPlaces(group({ "slack.com/bot-notify": "U05CF3D8609" }), undefined)).toEqual([]);
    expect(approvalPlaces(group({ "slack.com/channel-id": "#payments" }), undefined)).toEqual([]);
    expect(approvalPlaces({ ref: "group:default/x" }, undefined)).toEqual([]);
  });

  it("reads the default channel setting, and says how to write it when it is wrong", () => {
    expect(parseApprovalChannel("teams:19:abc@thread.tacv2")).toEqual({
      adapter: "teams",
      conversation: "19:abc@thread.tacv2",
    });
    for (const bad of ["C0123", "slack:", "slack:#general", "irc:C0123", ":C0123"]) {
      expect(() => parseApprovalChannel(bad)).toThrow(
        /write slack:<channel id> \(slack:C0123ABCD\) or teams:<conversation id>/,
      );
    }
  });
});

describe("the approval message", () => {
  const pending: StoredApproval = {
    id: "a1",
    taskId: "3f2a9c1e-0000-4000-8000-000000000001",
    stepId: "approve",
    groupRef: "group:default/team-payments",
    message: "Create **ledger**?",
    status: "pending",
    deadline: new Date("2026-12-06T12:00:00.000Z"),
    messageRef: null,
    decidedBy: null,
    decidedAt: null,
    createdAt: new Date("2026-12-06T10:00:00.000Z"),
    allowSelfApproval: false,
  };

  it("asks with Approve and Reject buttons that run the decision commands, and escapes the template's text", () => {
    const reply = approvalReply(pending, {
      templateRef: "template:default/gated",
      requestedBy: "user:default/jane",
    });
    expect(reply.text).toBe("Approval needed from group:default/team-payments: Create **ledger**?");
    expect(reply.blocks).toEqual([
      { type: "header", text: "Approval needed: task 3f2a9c1e" },
      { type: "section", text: "Create \\*\\*ledger\\*\\*?" },
      {
        type: "section",
        fields: [
          { label: "Task", value: "`3f2a9c1e-0000-4000-8000-000000000001`" },
          {
            label: "Approvers",
            value: "members of group:default/team-payments other than user:default/jane",
          },
          { label: "Template", value: "template:default/gated" },
          { label: "Requested by", value: "user:default/jane" },
        ],
      },
      { type: "context", text: "Decide by 2026-12-06T12:00:00Z; after that the task fails." },
      {
        type: "actions",
        actions: [
          {
            label: "Approve",
            command: "scaffold approve 3f2a9c1e-0000-4000-8000-000000000001 approve",
            style: "primary",
          },
          {
            label: "Reject",
            command: "scaffold reject 3f2a9c1e-0000-4000-8000-000000000001 approve",
            style: "danger",
          },
        ],
      },
    ]);
  });

  it("leaves the requester out of the approvers unless the step lets them approve", () => {
    const approvers = (reply: ReturnType<typeof approvalReply>) =>
      JSON.stringify(reply.blocks).match(/"Approvers","value":"([^"]*)"/)?.[1];
    const asked = { requestedBy: "user:default/jane" };
    expect(approvers(approvalReply(pending, asked))).toBe(
      "members of group:default/team-payments other than user:default/jane",
    );
    expect(approvers(approvalReply({ ...pending, allowSelfApproval: true }, asked))).toBe(
      "members of group:default/team-payments",
    );
    // Nobody known asked (the CLI without a catalog User): nobody to leave out.
    expect(approvers(approvalReply(pending))).toBe("members of group:default/team-payments");
  });

  it("names the task alone when the step id cannot be a command word", () => {
    expect(approveCommand({ taskId: "t1", stepId: "ask payments" })).toBe("scaffold approve t1");
    expect(rejectCommand({ taskId: "t1", stepId: "ask-payments.v2" })).toBe(
      "scaffold reject t1 ask-payments.v2",
    );
  });

  it("shows the decision, who and when, without buttons", () => {
    const approved = approvalReply({
      ...pending,
      status: "rejected",
      decidedBy: "user:default/sofia",
      decidedAt: new Date("2026-12-06T11:00:00.000Z"),
    });
    expect(approved.blocks[0]).toEqual({ type: "header", text: "Rejected: approval for task 3f2a9c1e" });
    expect(approved.blocks.at(-1)).toEqual({
      type: "context",
      text: "**Rejected by user:default/sofia at 2026-12-06T11:00:00Z**",
    });
    expect(approved.blocks.some((b) => b.type === "actions")).toBe(false);
    const expired = approvalReply({ ...pending, status: "expired", decidedAt: pending.deadline });
    expect(expired.blocks.some((b) => b.type === "actions")).toBe(false);
    expect(JSON.stringify(expired.blocks)).toContain("Expired at 2026-12-06T12:00:00Z");
    const cancelled = approvalReply(pending, { endedAs: "cancelled" });
    expect(cancelled.text).toBe("No longer needed (the task was cancelled): Create **ledger**?");
    expect(cancelled.blocks.some((b) => b.type === "actions")).toBe(false);
  });
});
