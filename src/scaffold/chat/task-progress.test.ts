import { describe, expect, it } from "vitest";
import type { TaskProgress } from "../tasks/scaffold-tasks.ts";
import { formatDuration, renderTaskProgress } from "./task-progress.ts";

const at = (s: number) => new Date(Date.UTC(2026, 11, 6, 9, 0, s));

function progress(
  overrides: Partial<TaskProgress["task"]> = {},
  steps: TaskProgress["steps"] = [],
): TaskProgress {
  return {
    task: {
      id: "3f2a9c1e-0000-4000-8000-000000000001",
      status: "processing",
      templateRef: "template:default/node-service",
      title: "Node.js service",
      createdBy: "user:default/jane",
      createdAt: at(0),
      updatedAt: at(1),
      parameters: {},
      cancelling: false,
      ...overrides,
    },
    steps,
    needsSecrets: false,
    secretNames: [],
  };
}

const render = (p: TaskProgress) =>
  renderTaskProgress(p, { now: at(20), entityUrl: (ref) => `https://cb.test/catalog/${ref}` });

describe("a task's progress as a Reply", () => {
  it("shows each step with its state and elapsed time, and Cancel while it runs", () => {
    const shown = render(
      progress({}, [
        {
          id: "fetch",
          name: "Render",
          action: "fetch:template",
          status: "completed",
          startedAt: at(1),
          updatedAt: at(3),
        },
        {
          id: "publish",
          name: "Publish",
          action: "publish:local",
          status: "processing",
          startedAt: at(3),
          updatedAt: at(3),
        },
        { id: "register", name: "Register", action: "catalog:register", status: "pending" },
      ]),
    );
    expect(shown.text).toBe('Node.js service: running, step "Publish" (20 s).');
    expect(shown.blocks[1]).toEqual({
      type: "section",
      text: "✅ **Render** · 2.0 s\n⏳ **Publish** · running for 17 s\n◻️ Register",
    });
    expect(shown.blocks).toContainEqual({
      type: "actions",
      actions: [
        { label: "Cancel", command: "scaffold cancel 3f2a9c1e-0000-4000-8000-000000000001", style: "danger" },
        { label: "Log", command: "scaffold log 3f2a9c1e-0000-4000-8000-000000000001" },
      ],
    });
  });

  it("ends with the template's output: web links, entity refs as catalog pages, text; other URLs left out", () => {
    const shown = render(
      progress({
        status: "completed",
        finishedAt: at(4),
        output: {
          links: [
            { title: "Repository", url: "https://git.test/acme/x" },
            { title: "In the catalog", entityRef: "component:default/x" },
            { title: "Sneaky", url: "javascript:alert(1)" },
          ],
          text: [{ title: "Next steps", content: "Run `npm start`." }],
        },
      }),
    );
    expect(shown.text).toBe("Node.js service: completed in 4.0 s.");
    expect(shown.blocks).toContainEqual({
      type: "links",
      links: [
        { title: "Repository", url: "https://git.test/acme/x" },
        { title: "In the catalog", url: "https://cb.test/catalog/component:default/x" },
      ],
    });
    expect(shown.blocks).toContainEqual({ type: "section", text: "**Next steps**\nRun `npm start`." });
    expect(JSON.stringify(shown)).not.toContain("javascript:");
  });

  it("names the failed step and the reason, escaped, with Retry; a cancelling task offers no Cancel", () => {
    const failed = render(
      progress(
        { status: "failed", finishedAt: at(5), error: "Repository *x* exists [here](https://evil.test)" },
        [
          {
            id: "publish",
            name: "Publish",
            action: "publish:github",
            status: "failed",
            startedAt: at(1),
            updatedAt: at(5),
          },
        ],
      ),
    );
    expect(failed.text).toBe(
      'Node.js service failed at step "Publish": Repository *x* exists [here](https://evil.test)',
    );
    expect(failed.blocks).toContainEqual({
      type: "section",
      text: "**Failed at step Publish** (`publish`): Repository \\*x\\* exists \\[here\\](https://evil.test)",
    });
    expect(JSON.stringify(failed.blocks)).toContain('"label":"Retry"');
    const cancelling = render(progress({ cancelling: true }));
    expect(cancelling.blocks[0]).toEqual({ type: "header", text: "Node.js service: cancelling" });
    expect(JSON.stringify(cancelling.blocks)).not.toContain('"label":"Cancel"');
  });

  it("shows a task waiting (for an approval) in the step it waits in, still with Cancel", () => {
    const shown = render(
      progress({ status: "waiting" }, [
        {
          id: "approve",
          name: "Approval",
          action: "callboard:approval",
          status: "processing",
          startedAt: at(2),
          updatedAt: at(2),
        },
      ]),
    );
    expect(shown.text).toBe('Node.js service: waiting in step "Approval" (20 s).');
    expect(shown.blocks[0]).toEqual({ type: "header", text: "Node.js service: waiting" });
    expect(JSON.stringify(shown.blocks)).toContain('"label":"Cancel"');
  });

  it("shows who decided an approval and when on its step, escaped", () => {
    const shown = render(
      progress({ status: "processing" }, [
        {
          id: "approve",
          name: "Approval",
          action: "callboard:approval",
          status: "completed",
          startedAt: at(2),
          updatedAt: at(9),
          decision: "Rejected by user:default/*sofia* at 2026-12-06T09:00:09.000Z",
        },
        { id: "build", name: "Build", action: "debug:log", status: "processing", startedAt: at(9) },
      ]),
    );
    const steps = shown.blocks[1] as { type: string; text: string };
    expect(steps.text.split("\n")).toEqual([
      "✅ **Approval** · 7.0 s",
      "      Rejected by user:default/\\*sofia\\* at 2026-12-06T09:00:09.000Z",
      "⏳ **Build** · running for 11 s",
    ]);
  });

  it("says a queued task waits for a worker, and lists at most 40 steps", () => {
    const steps = Array.from({ length: 45 }, (_, i) => ({
      id: `s${i}`,
      name: `s${i}`,
      action: "debug:log",
      status: "pending" as const,
    }));
    const shown = render(progress({ status: "open" }, steps));
    expect(shown.text).toBe("Node.js service: queued.");
    expect(JSON.stringify(shown.blocks)).toContain("…and 5 more steps");
    expect(JSON.stringify(shown.blocks)).toContain("waiting for a worker");
  });

  it("formats durations as a person reads them", () => {
    expect([0, 420, 12_400, 184_000, 3_780_000, -5, Number.NaN].map(formatDuration)).toEqual([
      "0.0 s",
      "0.4 s",
      "12 s",
      "3 min 4 s",
      "1 h 3 min",
      "0.0 s",
      "0.0 s",
    ]);
  });
});
