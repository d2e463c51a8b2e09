import { readdir } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import type { ScaffolderAction } from "../actions/action.ts";
import {
  echoAction,
  failAction,
  harness,
  writeFixture,
  yamlTemplate,
  type Harness,
} from "../../../test/fixtures/scaffold/harness.ts";
import { MemoryTaskState } from "./task-state.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

async function setup(steps: string, extra = "", actions: ScaffolderAction[] = [echoAction, failAction]) {
  h = await harness(await writeFixture({ "template.yaml": yamlTemplate(steps, extra) }), actions);
  return h;
}

describe("steps", () => {
  it("skips steps whose if is in Backstage's falsy set and runs the rest", async () => {
    const run = await setup(
      [
        "false",
        "'${{ null }}'",
        `"\${{ '' }}"`,
        "'${{ 0 }}'",
        "'${{ [] }}'",
        "'${{ parameters.off }}'",
        "'${{ parameters.missing }}'",
        "'${{ parameters.empty }}'",
      ]
        .map(
          (value, i) =>
            `    - id: off${i}\n      action: test:echo\n      if: ${value}\n      input: { x: 1 }\n`,
        )
        .join("") +
        ["true", "'${{ parameters.on }}'", "'${{ [1] }}'", "'text'"]
          .map(
            (value, i) =>
              `    - id: on${i}\n      action: test:echo\n      if: ${value}\n      input: { x: 1 }\n`,
          )
          .join(""),
    );
    const report = await run.run({ off: false, empty: "", on: "yes" });
    expect(report.status).toBe("completed");
    const statuses = Object.fromEntries(report.steps.map((s) => [s.id, s.status]));
    expect(
      Object.entries(statuses)
        .filter(([id]) => id.startsWith("off"))
        .map(([, s]) => s),
    ).toEqual(Array(8).fill("skipped"));
    expect(statuses).toMatchObject({
      on0: "completed",
      on1: "completed",
      on2: "completed",
      on3: "completed",
    });
  });

  it("gives steps parameters, earlier outputs (steps['id'] too), user, secrets and the task id", async () => {
    const run = await setup(`    - id: first-step
      action: test:echo
      input:
        name: \${{ parameters.name }}
        count: \${{ parameters.count }}
    - id: second
      action: test:echo
      input:
        fromFirst: \${{ steps['first-step'].output.name | upper }}
        dotted: \${{ steps.second is defined }}
        count: \${{ steps['first-step'].output.count + 1 }}
        user: \${{ user.ref }}
        email: \${{ user.entity.spec.profile.email }}
        task: \${{ context.task.id }}
        token: \${{ secrets.token }}
`);
    const report = await run.run(
      { name: "billing", count: 2 },
      {
        taskId: "task-42",
        secrets: { token: "s3cret-value" },
        user: {
          ref: "user:default/jane",
          entity: {
            apiVersion: "backstage.io/v1alpha1",
            kind: "User",
            metadata: { name: "jane" },
            spec: { profile: { email: "jane@acme.test" } },
          },
        },
      },
    );
    expect(report.status).toBe("completed");
    expect(report.steps[0]!.output).toEqual({ name: "billing", count: 2 });
    expect(report.steps[1]!.output).toEqual({
      fromFirst: "BILLING",
      dotted: false,
      count: 3,
      user: "user:default/jane",
      email: "jane@acme.test",
      task: "task-42",
      token: "***",
    });
    expect(JSON.stringify(report)).not.toContain("s3cret-value");
  });

  it("runs each over arrays and objects, with each.key and each.value, and gathers outputs into arrays", async () => {
    const run = await setup(`    - id: list
      action: test:echo
      each: \${{ parameters.names }}
      input:
        name: \${{ each.value }}
        key: \${{ each.key }}
    - id: map
      action: test:echo
      each: \${{ parameters.ports }}
      if: \${{ each.value > 80 }}
      input:
        entry: \${{ each.key }}=\${{ each.value }}
    - id: use
      action: test:echo
      input:
        names: \${{ steps.list.output.name }}
`);
    const report = await run.run({ names: ["a", "b", "c"], ports: { http: 80, https: 443, admin: 8080 } });
    expect(report.steps[0]!.output).toEqual({ name: ["a", "b", "c"], key: ["0", "1", "2"] });
    expect(report.steps[1]!.output).toEqual({ entry: ["https=443", "admin=8080"] });
    expect(report.steps[2]!.output).toEqual({ names: ["a", "b", "c"] });
  });

  it("fails a step whose each gives nothing", async () => {
    const run = await setup(`    - id: list
      action: test:echo
      each: \${{ parameters.missing }}
      input: {}
`);
    const report = await run.run({});
    expect(report.status).toBe("failed");
    expect(report.error).toMatch(/each .* must give a list or an object/);
  });

  it("after a failure skips later steps unless their if uses always() or failure()", async () => {
    const run = await setup(`    - id: ok
      action: test:echo
      input: { x: 1 }
    - id: boom
      action: test:fail
    - id: next
      action: test:echo
      input: { x: 2 }
    - id: cleanup
      action: test:echo
      if: \${{ always() }}
      input: { cleaned: true }
    - id: notify
      action: test:echo
      if: \${{ failure() and parameters.notify }}
      input: { notified: true }
    - id: only-on-success
      action: test:echo
      if: \${{ not failure() }}
      input: { x: 3 }
`);
    const report = await run.run({ notify: true });
    expect(report.status).toBe("failed");
    expect(report.error).toBe("this step fails on purpose");
    expect(report.steps.map((s) => [s.id, s.status])).toEqual([
      ["ok", "completed"],
      ["boom", "failed"],
      ["next", "skipped"],
      ["cleanup", "completed"],
      ["notify", "completed"],
      ["only-on-success", "skipped"],
    ]);
    expect(report.steps[2]!.reason).toBe("an earlier step failed");
    expect(report.output).toBeUndefined();
  });

  it("does not run failure() steps when nothing failed", async () => {
    const run = await setup(`    - id: ok
      action: test:echo
      input: { x: 1 }
    - id: notify
      action: test:echo
      if: \${{ failure() }}
      input: { x: 2 }
`);
    const report = await run.run({});
    expect(report.steps.map((s) => s.status)).toEqual(["completed", "skipped"]);
  });

  it("renders the template's output at the end: links with url or entityRef, text, other keys, if", async () => {
    const run = await setup(
      `    - id: make
      action: test:echo
      input:
        url: https://git.acme.test/\${{ parameters.name }}
`,
      `  output:
    links:
      - title: Repository
        url: \${{ steps.make.output.url }}
      - title: In the catalog
        icon: catalog
        entityRef: component:default/\${{ parameters.name }}
      - title: Hidden
        if: \${{ parameters.name == 'nope' }}
        url: https://nope.test
    text:
      - title: Next steps
        content: |
          Clone **\${{ parameters.name }}**.
    remote: \${{ steps.make.output.url }}
`,
    );
    const report = await run.run({ name: "billing" });
    expect(report.output).toEqual({
      links: [
        { title: "Repository", url: "https://git.acme.test/billing" },
        { title: "In the catalog", icon: "catalog", entityRef: "component:default/billing" },
      ],
      text: [{ title: "Next steps", content: "Clone **billing**.\n" }],
      remote: "https://git.acme.test/billing",
    });
  });
});

describe("actions", () => {
  it("refuses a template using an action that is not installed, before any step runs", async () => {
    const run = await setup(`    - id: ok
      action: test:echo
      input: { x: 1 }
    - id: nope
      action: publish:nowhere
`);
    const report = await run.run({});
    expect(report.status).toBe("failed");
    expect(report.error).toMatch(
      /^Step "nope" uses action "publish:nowhere", which is not installed\. Installed actions: .*debug:log/,
    );
    expect(report.steps).toEqual([]);
  });

  it("checks the rendered input against the action's schema before running it", async () => {
    const run = await setup(`    - id: fetch
      action: fetch:template
      input:
        url: \${{ parameters.port }}
        replace: maybe
`);
    const report = await run.run({ port: 8080 });
    expect(report.status).toBe("failed");
    expect(report.steps[0]!.error).toBe(
      'Step "fetch" (fetch:template): the input to fetch:template does not fit its schema: "url" must be text. "replace" must be true or false.',
    );
  });

  it("checks an action's output against its output schema", async () => {
    const liar: ScaffolderAction = {
      id: "test:liar",
      description: "Outputs the wrong type.",
      schema: { output: { type: "object", properties: { count: { type: "number" } } } },
      async handler(ctx) {
        ctx.output("count", "many");
      },
    };
    const run = await setup(`    - id: lie\n      action: test:liar\n`, "", [liar]);
    const report = await run.run({});
    expect(report.steps[0]!.error).toBe(
      'Step "lie": test:liar gave output that does not fit its schema: "count" must be a number.',
    );
  });

  it("skips actions without dry-run support in a dry run, using example outputs from their output schema", async () => {
    const run = await setup(`    - id: publish
      action: publish:local
      input:
        repoUrl: local?owner=acme&repo=\${{ parameters.name }}
    - id: show
      action: test:echo
      input:
        remote: \${{ steps.publish.output.remoteUrl }}
`);
    const report = await run.run({ name: "x" }, { dryRun: true });
    expect(report.status).toBe("completed");
    expect(report.steps[0]).toMatchObject({
      status: "skipped",
      reason: "publish:local does not support dry-run; example outputs were used",
    });
    expect(report.steps[0]!.inputs).toEqual([{ repoUrl: "local?owner=acme&repo=x" }]);
    expect(report.steps[1]!.output).toEqual({ remote: "<example>" });
    expect(report.files).toEqual([]);
  });

  it("stops a step that runs past the step timeout, and says how to allow more", async () => {
    const run = await setup(`    - id: slow
      action: debug:wait
      input: { seconds: 20 }
    - id: after
      action: test:echo
      input: { x: 1 }
`);
    const report = await run.run({}, { stepTimeoutMs: 100 });
    expect(report.status).toBe("failed");
    expect(report.steps[0]!.error).toBe(
      'Step "slow" (debug:wait) did not finish within 0.1 s and was stopped. Raise CALLBOARD_SCAFFOLD_STEP_TIMEOUT_SECONDS if it needs longer.',
    );
    expect(report.steps[1]!.status).toBe("skipped");
  });

  it("keeps checkpoint results, so a retried task reuses them instead of repeating the side effect", async () => {
    let calls = 0;
    let failNext = true;
    const flaky: ScaffolderAction = {
      id: "test:flaky",
      description: "Creates something once, then fails the first time.",
      async handler(ctx) {
        const id = await ctx.checkpoint({ key: "create", fn: async () => `thing-${++calls}` });
        ctx.output("id", id);
        if (failNext) {
          failNext = false;
          throw new Error("network hiccup");
        }
      },
    };
    const run = await setup(`    - id: make\n      action: test:flaky\n`, "", [flaky]);
    const state = new MemoryTaskState();
    const first = await run.run({}, { taskId: "retry-me", state });
    expect(first.status).toBe("failed");
    const second = await run.run({}, { taskId: "retry-me", state });
    expect(second.status).toBe("completed");
    expect(second.steps[0]!.output).toEqual({ id: "thing-1" });
    expect(calls).toBe(1);
    expect((await state.steps("retry-me")).map((s) => s.status)).toEqual(["completed"]);
  });

  it("redacts secrets, and values made from them, from logs, inputs and errors", async () => {
    const leaky: ScaffolderAction = {
      id: "test:leaky",
      description: "Logs its input.",
      async handler(ctx) {
        ctx.logger.info(`header is ${String(ctx.input.header)} and raw ${ctx.secrets.token}`);
        throw new Error(`refused ${String(ctx.input.header)}`);
      },
    };
    const run = await setup(
      `    - id: call\n      action: test:leaky\n      input:\n        header: Bearer \${{ secrets.token | upper }}\n`,
      "",
      [leaky],
    );
    const state = new MemoryTaskState();
    const report = await run.run({}, { secrets: { token: "abc123xyz" }, state, taskId: "t" });
    const everything = JSON.stringify(report) + JSON.stringify(await state.events("t"));
    expect(everything).not.toContain("abc123xyz");
    expect(everything).not.toContain("ABC123XYZ");
    expect(report.steps[0]!.inputs).toEqual([{ header: "***" }]);
  });

  it("removes the workspace when the task ends, whatever happened", async () => {
    const run = await setup(`    - id: boom\n      action: test:fail\n`);
    await run.run({});
    expect(await readdir(run.workspaces)).toEqual([]);
  });
});

describe("template errors", () => {
  it("names the file, the YAML line, the field and the line and column inside the expression", async () => {
    const run = await setup(`    - id: bad
      action: test:echo
      input:
        name: \${{ parameters.name | }}
`);
    const report = await run.run({ name: "x" });
    expect(report.status).toBe("failed");
    expect(report.steps[0]!.error).toMatch(
      new RegExp(
        `^${run.root}/template.yaml \\(line 11, spec\\.steps\\[0\\]\\.input\\.name\\):1:23: expected a filter name`,
      ),
    );
  });

  it("renders values as text: ${{ }} and {% %} typed by a person are never evaluated", async () => {
    const run = await setup(`    - id: echo
      action: test:echo
      input:
        name: \${{ parameters.name }}
        joined: "name: \${{ parameters.name }}"
`);
    const sneaky = "${{ context.task.id }}{% for i in range(1000000000) %}x{% endfor %}";
    const report = await run.run({ name: sneaky });
    expect(report.status).toBe("completed");
    expect(report.steps[0]!.output).toEqual({ name: sneaky, joined: `name: ${sneaky}` });
  });
});
