import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ScaffolderAction } from "../actions/action.ts";
import {
  harness,
  writeFixture,
  yamlTemplate,
  type Harness,
} from "../../../test/fixtures/scaffold/harness.ts";
import { TaskInterruptedError } from "./step-timeout.ts";
import { MemoryTaskState } from "./task-state.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

/** Counts runs per step, writes a file into the workspace, and can be told to hang until aborted. */
function actions() {
  const runs: Record<string, number> = {};
  let hang: string | undefined;
  const write: ScaffolderAction = {
    id: "test:write",
    description: "Writes a file into the workspace and outputs its name and a value.",
    async handler(ctx) {
      runs[ctx.step.id] = (runs[ctx.step.id] ?? 0) + 1;
      await writeFile(join(ctx.workspacePath, String(ctx.input.file)), String(ctx.input.text));
      ctx.output("file", ctx.input.file);
      ctx.output("value", ctx.input.value ?? "");
    },
  };
  const read: ScaffolderAction = {
    id: "test:read",
    description: "Reads a workspace file; hangs while told to.",
    async handler(ctx) {
      runs[ctx.step.id] = (runs[ctx.step.id] ?? 0) + 1;
      if (hang === ctx.step.id) {
        await new Promise((_, reject) =>
          ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)),
        );
      }
      ctx.output("text", await readFile(join(ctx.workspacePath, String(ctx.input.file)), "utf8"));
      ctx.output("seen", ctx.input.seen ?? "");
    },
  };
  const fail: ScaffolderAction = {
    id: "test:fail-once",
    description: "Fails the first time.",
    async handler(ctx) {
      runs[ctx.step.id] = (runs[ctx.step.id] ?? 0) + 1;
      if (runs[ctx.step.id] === 1) throw new Error("the first try fails");
    },
  };
  return {
    runs,
    list: [write, read, fail],
    hangAt(step: string | undefined) {
      hang = step;
    },
  };
}

const STEPS = `    - id: write
      action: test:write
      input: { file: a.txt, text: from step one, value: "\${{ secrets.token }}-derived" }
    - id: read
      action: test:read
      input: { file: a.txt, seen: "\${{ steps.write.output.value }}" }
`;

describe("resuming a task from its stored state", () => {
  it("does not run completed steps again, and the next step finds their files and outputs", async () => {
    const a = actions();
    h = await harness(await writeFixture({ "template.yaml": yamlTemplate(STEPS) }), a.list);
    const state = new MemoryTaskState();
    const interrupt = new AbortController();
    a.hangAt("read");
    const common = { taskId: "t1", state, keepWorkspace: true, secrets: { token: "s3cret" } };
    const first = h.run({}, { ...common, interrupt: interrupt.signal });
    await until(async () => (await state.steps("t1")).some((s) => s.id === "read"));
    interrupt.abort();
    await expect(first).rejects.toBeInstanceOf(TaskInterruptedError);
    expect((await state.steps("t1")).map((s) => [s.id, s.status])).toEqual([
      ["write", "completed"],
      ["read", "processing"],
    ]);
    expect((await state.events("t1")).some((e) => e.type === "completion")).toBe(false);

    a.hangAt(undefined);
    const second = await h.run({}, { ...common, resume: true });
    expect(second.status).toBe("completed");
    expect(a.runs).toEqual({ write: 1, read: 2 });
    // The file step one wrote, from the kept workspace; its output, with the secret-derived value intact.
    expect(second.steps[1]!.output).toEqual({ text: "from step one", seen: "***" });
    const stored = await state.steps("t1");
    expect(stored[0]!.output).toEqual({ file: "a.txt", value: "***" });
    expect(stored[0]!.context).toEqual({ file: "a.txt", value: "s3cret-derived" });
    expect(JSON.stringify(await state.events("t1"))).not.toContain("s3cret");
    expect(second.log.some((l) => /Resuming: write ended in an earlier run/.test(l.message))).toBe(true);
  });

  it("gives later steps the real value made from a secret, which only the stored context holds", async () => {
    const a = actions();
    const steps = `${STEPS}    - id: echo
      action: test:write
      input: { file: b.txt, text: "\${{ steps.read.output.seen }}" }
`;
    h = await harness(await writeFixture({ "template.yaml": yamlTemplate(steps) }), a.list);
    const state = new MemoryTaskState();
    const interrupt = new AbortController();
    a.hangAt("read");
    const common = { taskId: "t2", state, keepWorkspace: true, secrets: { token: "s3cret" } };
    const first = h.run({}, { ...common, interrupt: interrupt.signal });
    await until(async () => (await state.steps("t2")).some((s) => s.id === "read"));
    interrupt.abort();
    await expect(first).rejects.toBeInstanceOf(TaskInterruptedError);
    a.hangAt(undefined);
    let written = "";
    const spy: ScaffolderAction = {
      ...a.list[0]!,
      async handler(ctx) {
        if (ctx.step.id === "echo") written = String(ctx.input.text);
        await a.list[0]!.handler(ctx);
      },
    };
    await h.cleanup();
    h = await harness(await writeFixture({ "template.yaml": yamlTemplate(steps) }), [
      spy,
      ...a.list.slice(1),
    ]);
    // A new harness has new workspaces: the kept archive is all the resumed run has.
    const second = await h.run({}, { ...common, resume: true });
    expect(second.status).toBe("completed");
    expect(written).toBe("s3cret-derived");
  });

  it("keeps a failed step failed when it recovers, and runs it again once its state is forgotten (retry)", async () => {
    const a = actions();
    const steps = `    - id: write
      action: test:write
      input: { file: a.txt, text: x }
    - id: flaky
      action: test:fail-once
    - id: cleanup
      if: \${{ failure() }}
      action: test:write
      input: { file: c.txt, text: y }
    - id: read
      action: test:read
      input: { file: a.txt }
`;
    h = await harness(await writeFixture({ "template.yaml": yamlTemplate(steps) }), a.list);
    const state = new MemoryTaskState();
    const common = { taskId: "t3", state, keepWorkspace: true };
    const first = await h.run({}, common);
    expect(first.status).toBe("failed");
    const recovered = await h.run({}, { ...common, resume: true });
    expect(recovered.status).toBe("failed");
    expect(recovered.error).toBe("the first try fails");
    expect(a.runs).toEqual({ write: 1, flaky: 1, cleanup: 1 });

    // A retry forgets the steps that did not complete; completed ones keep their outputs.
    const forget = new MemoryTaskState();
    for (const step of await state.steps("t3")) {
      if (step.status === "completed" && step.id === "write") {
        await forget.saveStep("t3", { ...step, workspace: (await state.workspace("t3", step.id))! });
      }
    }
    const retried = await h.run({}, { ...common, state: forget, resume: true });
    expect(retried.status).toBe("completed");
    expect(retried.steps.map((s) => s.status)).toEqual(["completed", "completed", "skipped", "completed"]);
    expect(a.runs).toEqual({ write: 1, flaky: 2, cleanup: 1, read: 1 });
  });

  it("fails with a reason when the workspace a completed step left was not kept", async () => {
    const a = actions();
    h = await harness(await writeFixture({ "template.yaml": yamlTemplate(STEPS) }), a.list);
    const state = new MemoryTaskState();
    await state.saveStep("t4", { id: "write", status: "completed", output: { file: "a.txt", value: "" } });
    const report = await h.run({}, { taskId: "t4", state, resume: true });
    expect(report.status).toBe("failed");
    expect(report.error).toBe(
      'Task t4 cannot carry on after step "write": the workspace that step left was not kept. Run the template again.',
    );
    expect(a.runs).toEqual({});
  });
});

async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("condition never held");
}
