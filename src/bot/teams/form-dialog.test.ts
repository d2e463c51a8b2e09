/* eslint-disable @typescript-eslint/no-explicit-any -- cards and invoke bodies from the wire are inspected loosely */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FieldErrors, Form } from "../../message/form.ts";
import { reply } from "../../message/reply.ts";
import type { Plugin } from "../../plugins/api.ts";
import { startTeamsHarness, type TeamsHarness } from "../../../test/fixtures/teams/harness.ts";

const FORM: Form = {
  id: "slow-form",
  title: "Slow form",
  submitLabel: "Send",
  pages: [{ title: "Note", fields: [{ name: "note", label: "Note", kind: "text", required: true }] }],
};

/** Gates the form's checks and submit, so a test decides when they finish. */
function gated() {
  const gates = new Map<string, () => void>();
  const wait = (key: string) => new Promise<void>((resolve) => gates.set(key, resolve));
  const open = async (key: string) => {
    while (!gates.has(key)) await new Promise((resolve) => setTimeout(resolve, 10));
    gates.get(key)!();
  };
  const plugin: Plugin = {
    id: "slow-form",
    register(api) {
      api.addCommand({
        name: "slow",
        phrases: ["slow"],
        summary: "",
        usage: "slow",
        handler: () => ({ ...reply("Opening"), form: FORM }),
      });
      api.addForm({
        id: FORM.id,
        open: () => FORM,
        validate: async (_form, _page, values): Promise<FieldErrors> => {
          if (values.note !== "slow-check") return {};
          await wait("check");
          return { note: "That note is taken." };
        },
        submit: async (_form, values) => {
          if (values.note === "slow-submit") await wait("submit");
          if (values.note === "slow-fail") {
            await wait("fail");
            throw new Error("the ticket system at 10.0.0.7 is down");
          }
          return reply(`Sent ${String(values.note)}`);
        },
      });
    },
  };
  return { plugin, open };
}

describe("a Teams dialog whose form is slow", () => {
  const slow = gated();
  let teams: TeamsHarness;

  beforeAll(async () => {
    // Teams' own limit is seconds; a short budget keeps the test quick and the slow path certain.
    teams = await startTeamsHarness({ plugins: [slow.plugin], invokeBudgetMs: 300 });
  });
  afterAll(() => teams.close());

  /** Opens the form from a message's button and returns its page's submit data. */
  async function openDialog(): Promise<Record<string, unknown>> {
    const asked = teams.fixture("message-personal", { text: "slow" });
    await teams.post(asked);
    const call = await teams.connector.waitFor((c) => c.activityId === asked.id);
    const card = (call.body.attachments as { content: any }[])[0]!.content;
    const open = card.body
      .flatMap((e: any) => e.actions ?? [])
      .find((a: any) => a.title === "Open Slow form");
    const fetched = await teams.post(
      teams.fixture("invoke-task-fetch", { value: { type: "task/fetch", data: open.data } }),
    );
    return fetched.body.task.value.card.content.actions[0].data;
  }
  const submit = (data: Record<string, unknown>) =>
    teams.post(teams.fixture("invoke-task-submit", { value: { type: "task/submit", data } }));
  const posted = (text: string) => teams.connector.waitFor((c) => JSON.stringify(c.body).includes(text));

  it("answers the submit within the time Teams gives, and posts the result in the conversation when done", async () => {
    const data = await openDialog();
    const answered = await submit({ ...data, note: "slow-submit" });
    expect(answered.status).toBe(200);
    expect(answered.body.task).toEqual({
      type: "message",
      value: "This is taking a while: the result will be posted in the conversation when it is done.",
    });
    await slow.open("submit");
    const result = await posted("Sent slow-submit");
    expect(result.conversationId).toBe("a:1personal-chat-alice");
    // The form ran once: submitting the same page again finds it submitted.
    expect((await submit({ ...data, note: "slow-submit" })).body.task).toEqual({
      type: "message",
      value: "This form was already submitted.",
    });
  });

  it("offers the page again with a button when checking it was too slow", async () => {
    const data = await openDialog();
    const answered = await submit({ ...data, note: "slow-check" });
    expect(answered.body.task.type).toBe("message");
    await slow.open("check");
    const note = await posted("checking that page took too long");
    const button = JSON.stringify(note.body);
    expect(button).toContain("Open Slow form");
    expect(button).toContain(`"s":"${(data.callboard as { session: string }).session}"`);
  });

  it("says in the conversation when the late submit failed, naming no internals", async () => {
    const data = await openDialog();
    const answered = await submit({ ...data, note: "slow-fail" });
    expect(answered.body.task.value).toMatch(/^This is taking a while/);
    await slow.open("fail");
    const told = await posted("Something went wrong (submitting a form)");
    expect(told.conversationId).toBe("a:1personal-chat-alice");
    expect(JSON.stringify(told.body)).not.toContain("10.0.0.7");
  });
});
