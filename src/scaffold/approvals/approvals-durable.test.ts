import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Entity } from "../../catalog/model/entity.ts";
import { PrismaApprovalStore } from "../../db/approval-store.ts";
import type { Database } from "../../db/open-database.ts";
import { providersUnderTest, testTarget, type TestTarget } from "../../db/test-database.ts";
import type { Reply } from "../../message/reply.ts";
import type { Address, MessageRef, Outbox } from "../../plugins/outbox.ts";
import { silentLog, taskRig, type TaskRig } from "../../../test/fixtures/scaffold/task-fixtures.ts";
import { writeFixture } from "../../../test/fixtures/scaffold/harness.ts";
import { loadTemplateFile } from "../template/load-template.ts";
import type { LoadedTemplate } from "../template/template-spec.ts";
import type { TaskWorker } from "../tasks/task-worker.ts";
import { approvalAction } from "./approval-action.ts";
import { ApprovalDecisions } from "./approval-decisions.ts";
import { renderTaskProgress } from "../chat/task-progress.ts";

const jane = { id: "user:default/jane", userRef: "user:default/jane" };
/** A member of the approving group asking for a task herself. */
const sofia = { id: "user:default/sofia", userRef: "user:default/sofia" };
const PAYMENTS = "group:default/team-payments";
const groups: Record<string, string[]> = {
  "user:default/sofia": [PAYMENTS, "group:default/product-payments"],
  "user:default/daniel": [PAYMENTS],
  "user:default/mallory": ["group:default/team-merchants"],
};
const entities: Entity[] = [
  {
    apiVersion: "backstage.io/v1alpha1",
    kind: "Group",
    metadata: { name: "team-payments", annotations: { "slack.com/channel-id": "C27FB98F96" } },
    spec: { type: "team", children: [] },
  },
];

/** Every post and update, as a chat platform would take them; message ids count up. */
class RecordingOutbox implements Outbox {
  readonly posts: Array<{ address: Address; reply: Reply; id: string }> = [];
  readonly updates: Array<{ ref: MessageRef; reply: Reply }> = [];
  async post(address: Address, reply: Reply): Promise<MessageRef> {
    const id = `1733480000.${String(this.posts.length + 1).padStart(6, "0")}`;
    this.posts.push({ address, reply, id });
    return { address, id };
  }
  async update(ref: MessageRef, reply: Reply): Promise<MessageRef> {
    this.updates.push({ ref, reply });
    return ref;
  }
}

async function eventually<T>(check: () => Promise<T | undefined | false>, what: string): Promise<T> {
  const until = Date.now() + 20_000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`still waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function approvalTemplate(timeout?: string, allowSelfApproval?: boolean): Promise<LoadedTemplate> {
  const root = await writeFixture({
    "template.yaml": `apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: gated
  title: Gated
spec:
  type: service
  parameters:
    - properties:
        name: { type: string }
  steps:
    - id: approve
      name: Payments approval
      action: callboard:approval
      input:
        group: team-payments
        message: Create \${{ parameters.name }}?
${timeout ? `        timeout: ${timeout}\n` : ""}${allowSelfApproval === undefined ? "" : `        allowSelfApproval: ${allowSelfApproval}\n`}    - id: build
      name: Build
      if: \${{ steps.approve.output.approved }}
      action: debug:log
      input:
        message: built after approval by \${{ steps.approve.output.decidedBy }}
  output:
    text:
      - title: Decision
        content: "approved=\${{ steps.approve.output.approved }} by \${{ steps.approve.output.decidedBy }}"
`,
  });
  return loadTemplateFile(join(root, "template.yaml"));
}

for (const { provider, available } of await providersUnderTest()) {
  describe.skipIf(!available)(`callboard:approval, durable, on ${provider}`, () => {
    let target: TestTarget;
    const open: Database[] = [];
    const workers: TaskWorker[] = [];
    let dataDir: string;

    beforeEach(async () => {
      target = testTarget(provider);
      dataDir = await mkdtemp(join(tmpdir(), "cb-approvals-"));
    });
    afterEach(async () => {
      await Promise.all(workers.splice(0).map((w) => w.stop()));
      await Promise.all(open.splice(0).map((db) => db.close()));
      await target.drop();
    });

    /** One Callboard process: its database connection, tasks, worker, outbox and the approve/reject service. */
    async function process(options: { start?: boolean } = {}) {
      const db = await target.open();
      open.push(db);
      const outbox = new RecordingOutbox();
      const approvals = new PrismaApprovalStore(db.prisma);
      const action = approvalAction({
        approvals,
        outbox,
        entity: (ref) => (ref === PAYMENTS ? entities[0] : undefined),
      });
      const rig: TaskRig = taskRig(db, { dataDir, entities, groups, extraActions: [action as never] });
      const worker = rig.tasks.worker();
      workers.push(worker);
      if (options.start !== false) worker.start();
      const decisions = new ApprovalDecisions({
        approvals,
        tasks: rig.store,
        groupsOf: (ref) => groups[ref] ?? [],
        outbox,
        audit: rig.audit,
        log: silentLog,
        nudge: () => worker.wake(),
      });
      // As the approvals plugin wires it in the app.
      rig.tasks.onCancelled(({ taskId, reason }) => decisions.taskCancelled(taskId, reason));
      return { db, rig, worker, outbox, approvals, decisions };
    }

    /** The task's progress message as the progress reporter renders it. */
    async function progressText(rig: TaskRig, id: string): Promise<string> {
      const progress = await rig.tasks.progress(id);
      return JSON.stringify(renderTaskProgress(progress!, { now: new Date() }).blocks);
    }

    /** Submit `template` as `actor` with the name given; the task's id, once it is queued. */
    async function queued(rig: TaskRig, template: LoadedTemplate, name: string, actor: typeof jane) {
      const submitted = await rig.tasks.submit(template, { values: { name }, actor });
      if (submitted.status !== "queued") throw new Error(JSON.stringify(submitted));
      return submitted.taskId;
    }

    async function status(rig: TaskRig, id: string, wanted: string[]) {
      return eventually(
        async () => {
          const task = await rig.store.get(id);
          return task && wanted.includes(task.status) ? task : undefined;
        },
        `task ${id} to be ${wanted.join(" or ")}`,
      );
    }

    it("waits without a worker, survives a restart, and resumes elsewhere when a member approves", async () => {
      const first = await process();
      const id = await queued(first.rig, await approvalTemplate(), "ledger", jane);
      const waiting = await status(first.rig, id, ["waiting"]);
      // Parked: no worker holds it, nothing heartbeats it, no deadline wakes it.
      expect(waiting.claimedBy).toBeNull();
      expect(waiting.heartbeatAt).toBeNull();
      expect(waiting.wakeAt ?? null).toBeNull();
      expect(first.worker.active).toBe(0);
      expect(first.outbox.posts).toHaveLength(1);
      const posted = first.outbox.posts[0]!;
      expect(posted.address).toEqual({ adapter: "slack", channel: "C27FB98F96" });
      const buttons = posted.reply.blocks.flatMap((b) => (b.type === "actions" ? b.actions : []));
      expect(buttons.map((b) => [b.label, b.command])).toEqual([
        ["Approve", `scaffold approve ${id} approve`],
        ["Reject", `scaffold reject ${id} approve`],
      ]);

      // The process that posted the buttons stops; a new one opens the same database.
      await first.worker.stop();
      await first.db.close();
      open.splice(open.indexOf(first.db), 1);
      const second = await process({ start: false });
      expect((await second.rig.store.get(id))?.status).toBe("waiting");

      const decided = await second.decisions.decide({
        task: id.slice(0, 8),
        decision: "approved",
        userRef: "user:default/sofia",
        who: "slack:U05CF3D8609",
      });
      expect(decided).toMatchObject({ ok: true });
      expect((await second.rig.store.get(id))?.status).toBe("open");
      second.worker.start();
      const done = await status(second.rig, id, ["completed", "failed", "cancelled"]);
      expect(done.error).toBeNull();
      expect(done.status).toBe("completed");
      expect(JSON.parse(done.output!).text[0].content).toBe("approved=true by user:default/sofia");
      const steps = await second.rig.store.steps(id);
      const approve = steps.find((s) => s.stepId === "approve")!;
      expect(JSON.parse(approve.output!)).toMatchObject({ approved: true, decidedBy: "user:default/sofia" });
      expect(steps.find((s) => s.stepId === "build")?.status).toBe("completed");
      // Who decided and when: a decision event in the task's log, shown on its step in the progress message.
      const shown = await progressText(second.rig, id);
      expect(shown).toMatch(/Approved by user:default\/sofia at \d{4}-\d\d-\d\dT/);
      // On the approval's own step, between it and the next.
      expect(shown.indexOf("Payments approval")).toBeLessThan(shown.indexOf("Approved by"));
      expect(shown.indexOf("Approved by")).toBeLessThan(shown.indexOf("**Build**"));
      // Not posted again on resume; the posted message was updated in place to show the decision.
      expect(second.outbox.posts).toHaveLength(0);
      expect(second.outbox.updates).toHaveLength(1);
      expect(second.outbox.updates[0]!.ref.id).toBe(posted.id);
      const updated = second.outbox.updates[0]!.reply;
      expect(updated.text).toMatch(/^Approved: Create ledger\? \(Approved by user:default\/sofia at /);
      expect(updated.blocks.some((b) => b.type === "actions")).toBe(false);
      const log = (await second.rig.store.events(id)).map((e) => e.message);
      expect(log.some((m) => /^Approved by user:default\/sofia at \d{4}-/.test(m))).toBe(true);
      expect(log.some((m) => m.includes("built after approval by user:default/sofia"))).toBe(true);
      // In order: asked, waited, decided, carried on.
      const at = (pattern: RegExp) => log.findIndex((m) => pattern.test(m));
      const order = [
        /^Asked group:default\/team-payments/,
        /^Waiting for a member/,
        /^Approved by/,
        /^built after/,
      ];
      expect(order.map(at)).toEqual([...order.map(at)].sort((a, b) => a - b));
      expect(order.map(at).every((i) => i >= 0)).toBe(true);
    });

    it("refuses non-members and a second decision, and a rejection skips the gated step", async () => {
      const proc = await process();
      const id = await queued(proc.rig, await approvalTemplate(), "x", jane);
      await status(proc.rig, id, ["waiting"]);

      const outsider = await proc.decisions.decide({
        task: id,
        decision: "approved",
        userRef: "user:default/mallory",
        who: "slack:U1",
      });
      expect(outsider).toEqual({
        ok: false,
        reason:
          `Only members of ${PAYMENTS} may approve task ${id}; user:default/mallory is in group:default/team-merchants. ` +
          `Ask a member of ${PAYMENTS} to decide.`,
      });
      const stranger = await proc.decisions.decide({ task: id, decision: "approved", who: "slack:U0NOBODY" });
      expect(stranger.ok).toBe(false);
      expect(!stranger.ok && stranger.reason).toContain(
        "does not know which catalog User you are (slack:U0NOBODY",
      );
      expect((await proc.rig.store.get(id))?.status).toBe("waiting");

      const rejected = await proc.decisions.decide({
        task: id,
        step: "approve",
        decision: "rejected",
        userRef: "user:default/sofia",
        who: "slack:U2",
      });
      expect(rejected.ok).toBe(true);
      const again = await proc.decisions.decide({
        task: id,
        decision: "approved",
        userRef: "user:default/daniel",
        who: "slack:U3",
      });
      expect(again.ok).toBe(false);
      expect(!again.ok && again.reason).toMatch(
        new RegExp(`^Task ${id} was already rejected by user:default/sofia at \\d{4}-\\d\\d-\\d\\dT`),
      );
      const done = await status(proc.rig, id, ["completed", "failed"]);
      expect(done.status).toBe("completed");
      expect(JSON.parse(done.output!).text[0].content).toBe("approved=false by user:default/sofia");
      expect((await proc.rig.store.steps(id)).find((s) => s.stepId === "build")?.status).toBe("skipped");
      expect(await progressText(proc.rig, id)).toMatch(/Rejected by user:default\/sofia at \d{4}-/);
      const log = await proc.rig.tasks.log(id, jane);
      if ("refused" in log) throw new Error(log.refused);
      expect(log.entries.filter((e) => e.stepId === "approve" && e.status === "rejected")).toHaveLength(1);
      const audited = await proc.rig.audit.recent({ action: "scaffold.rejected" });
      expect(audited.map((a) => a.actor)).toEqual(["user:default/sofia"]);
    });

    it("refuses the requester's own approval, writing nothing, and another member's approval then counts", async () => {
      const proc = await process();
      const id = await queued(proc.rig, await approvalTemplate(), "own", sofia);
      await status(proc.rig, id, ["waiting"]);
      // The message says so before anyone presses.
      expect(JSON.stringify(proc.outbox.posts[0]!.reply.blocks)).toContain(
        `members of ${PAYMENTS} other than user:default/sofia`,
      );

      // Her catalog ref as chat gives it may differ in case from the one the task was created with.
      for (const userRef of ["user:default/sofia", "User:default/Sofia"]) {
        expect(
          await proc.decisions.decide({
            task: id.slice(0, 8),
            decision: "approved",
            userRef,
            who: "slack:U2",
          }),
        ).toEqual({
          ok: false,
          reason:
            `You asked for task ${id}, so you may not approve it yourself: another member of ${PAYMENTS} must ` +
            "approve it. You may still reject or cancel it.",
        });
      }
      // Nothing written: still waiting, still pending, no decision in the log or the audit, the buttons untouched.
      expect((await proc.rig.store.get(id))?.status).toBe("waiting");
      expect((await proc.approvals.latest(id))?.status).toBe("pending");
      expect((await proc.rig.store.events(id)).some((e) => /^Approved by/.test(e.message))).toBe(false);
      expect(await proc.rig.audit.recent({ action: "scaffold.approved" })).toEqual([]);
      expect(proc.outbox.updates).toHaveLength(0);

      expect(
        await proc.decisions.decide({
          task: id,
          decision: "approved",
          userRef: "user:default/daniel",
          who: "x",
        }),
      ).toMatchObject({ ok: true });
      const done = await status(proc.rig, id, ["completed", "failed"]);
      expect(done.status).toBe("completed");
      expect(JSON.parse(done.output!).text[0].content).toBe("approved=true by user:default/daniel");
      expect((await proc.rig.audit.recent({ action: "scaffold.approved" })).map((a) => a.actor)).toEqual([
        "user:default/daniel",
      ]);
    });

    it("lets the requester reject the task they were refused approving", async () => {
      const proc = await process();
      const id = await queued(proc.rig, await approvalTemplate(), "withdrawn", sofia);
      await status(proc.rig, id, ["waiting"]);
      const own = { task: id, userRef: "user:default/sofia", who: "x" };
      expect(await proc.decisions.decide({ ...own, decision: "approved" })).toMatchObject({ ok: false });
      expect(await proc.decisions.decide({ ...own, decision: "rejected" })).toMatchObject({ ok: true });
      const done = await status(proc.rig, id, ["completed", "failed"]);
      expect(JSON.parse(done.output!).text[0].content).toBe("approved=false by user:default/sofia");
      expect((await proc.rig.audit.recent({ action: "scaffold.rejected" })).map((a) => a.actor)).toEqual([
        "user:default/sofia",
      ]);
    });

    it("lets the requester approve when the step says allowSelfApproval: true", async () => {
      const proc = await process();
      const id = await queued(proc.rig, await approvalTemplate(undefined, true), "solo", sofia);
      await status(proc.rig, id, ["waiting"]);
      expect((await proc.approvals.latest(id))?.allowSelfApproval).toBe(true);
      expect(JSON.stringify(proc.outbox.posts[0]!.reply.blocks)).toContain(`"members of ${PAYMENTS}"`);
      expect(
        await proc.decisions.decide({
          task: id,
          decision: "approved",
          userRef: "user:default/sofia",
          who: "x",
        }),
      ).toMatchObject({ ok: true });
      const done = await status(proc.rig, id, ["completed", "failed"]);
      expect(JSON.parse(done.output!).text[0].content).toBe("approved=true by user:default/sofia");
    });

    it("fails the step when nobody decides in time, refuses a late press, and asks again on retry", async () => {
      const proc = await process();
      const id = await queued(proc.rig, await approvalTemplate("1s"), "y", jane);
      const waiting = await status(proc.rig, id, ["waiting"]);
      expect(waiting.wakeAt).toBeInstanceOf(Date);
      const failed = await status(proc.rig, id, ["failed", "completed"]);
      expect(failed.status).toBe("failed");
      expect(failed.error).toMatch(
        /^Step "approve" \(callboard:approval\): nobody in group:default\/team-payments approved or rejected within 1 s, so the approval expired at .*Retry the task to ask again\.$/,
      );
      expect(proc.outbox.updates.at(-1)!.reply.text).toBe("Approval expired: Create y?");
      const late = await proc.decisions.decide({
        task: id,
        decision: "approved",
        userRef: "user:default/sofia",
        who: "slack:U2",
      });
      expect(!late.ok && late.reason).toMatch(/expired at .*Retry the task to ask again\.$/);

      expect(await proc.rig.tasks.retry(id, jane)).toMatchObject({ ok: true });
      await eventually(async () => proc.outbox.posts.length === 2, "a second approval message");
      await status(proc.rig, id, ["waiting"]);
      expect(
        await proc.decisions.decide({
          task: id,
          decision: "approved",
          userRef: "user:default/daniel",
          who: "x",
        }),
      ).toMatchObject({ ok: true });
      expect((await status(proc.rig, id, ["completed", "failed"])).status).toBe("completed");
    });

    it("cancels a waiting task at once; a later press says it ended and retires the buttons", async () => {
      const proc = await process();
      const id = await queued(proc.rig, await approvalTemplate(), "c", jane);
      await status(proc.rig, id, ["waiting"]);
      expect(await proc.rig.tasks.cancel(id, jane)).toEqual({
        ok: true,
        message: `Task ${id} was cancelled while it waited for an approval.`,
      });
      expect((await proc.rig.store.get(id))?.status).toBe("cancelled");
      // The approval message changed with the cancel, before anyone pressed a button: no buttons, and who.
      expect(proc.outbox.updates).toHaveLength(1);
      const retired = proc.outbox.updates[0]!.reply;
      expect(retired.text).toBe(
        "No longer needed (the task was cancelled): Create c? (Cancelled by user:default/jane while it waited for an approval.)",
      );
      expect(JSON.stringify(retired.blocks)).toContain("Cancelled by user:default/jane");
      expect(retired.blocks.some((block) => block.type === "actions")).toBe(false);
      const late = await proc.decisions.decide({
        task: id,
        decision: "approved",
        userRef: "user:default/sofia",
        who: "x",
      });
      expect(late).toEqual({
        ok: false,
        reason: `Task ${id} has already ended (cancelled); there is nothing to approve.`,
      });
      // Pressing a retired button changes nothing more.
      expect(proc.outbox.updates).toHaveLength(1);
      // The approval is closed: a retry asks again, with buttons, rather than wait on the retired message.
      expect(await proc.rig.tasks.retry(id, jane)).toMatchObject({ ok: true });
      await eventually(async () => proc.outbox.posts.length === 2, "a second approval message");
      await status(proc.rig, id, ["waiting"]);
      expect(
        await proc.decisions.decide({
          task: id,
          decision: "approved",
          userRef: "user:default/sofia",
          who: "x",
        }),
      ).toMatchObject({ ok: true });
      expect((await status(proc.rig, id, ["completed", "failed"])).status).toBe("completed");
    });

    it("a decision that lands while the step is still running requeues the task instead of parking it", async () => {
      const proc = await process({ start: false });
      const queued = await proc.rig.tasks.submit(await approvalTemplate(), {
        values: { name: "z" },
        actor: jane,
      });
      if (queued.status !== "queued") throw new Error(JSON.stringify(queued));
      const now = new Date();
      const claimed = await proc.rig.store.claim({
        workerId: "w",
        token: "t1",
        now,
        staleBefore: new Date(now.getTime() - 60_000),
        maxAttempts: 3,
      });
      expect(claimed?.id).toBe(queued.taskId);
      await proc.rig.store.wake(queued.taskId, new Date());
      expect(await proc.rig.store.park(queued.taskId, "t1", null, new Date())).toBe("requeued");
      expect((await proc.rig.store.get(queued.taskId))?.status).toBe("open");
      expect(await proc.rig.store.park(queued.taskId, "t1", null, new Date())).toBe(false);
      // A cancel asked for while the step ran is not slept through either: the task is requeued, and its
      // next claim ends it cancelled.
      const third = await proc.rig.store.claim({
        workerId: "w",
        token: "t3",
        now,
        staleBefore: now,
        maxAttempts: 3,
      });
      expect(await proc.rig.store.requestCancel(third!.id, "changed my mind", new Date())).toBe("requested");
      expect(await proc.rig.store.park(third!.id, "t3", null, new Date())).toBe("requeued");
      proc.worker.start();
      expect((await status(proc.rig, third!.id, ["cancelled", "completed", "failed"])).status).toBe(
        "cancelled",
      );
    });

    it("cancels a parked task at once", async () => {
      const proc = await process({ start: false });
      const queued = await proc.rig.tasks.submit(await approvalTemplate(), {
        values: { name: "z" },
        actor: jane,
      });
      if (queued.status !== "queued") throw new Error(JSON.stringify(queued));
      const now = new Date();
      // A cancel ends a waiting task at once.
      const again = await proc.rig.store.claim({
        workerId: "w",
        token: "t2",
        now,
        staleBefore: now,
        maxAttempts: 3,
      });
      expect(await proc.rig.store.park(again!.id, "t2", null, new Date())).toBe("parked");
      expect(await proc.rig.store.requestCancel(again!.id, "no longer needed", new Date())).toBe("cancelled");
    });
  });
}
