import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FieldErrors, Form } from "../../message/form.ts";
import { reply } from "../../message/reply.ts";
import type { Plugin } from "../../plugins/api.ts";
import { startSlackHarness, type SlackHarness } from "../../../test/fixtures/slack/harness.ts";
import {
  sendSigned,
  slashCommandBody,
  viewBlockActionsBody,
  viewSubmissionBody,
} from "../../../test/fixtures/slack/slack-requests.ts";
import { BACK_ACTION_ID } from "./render-modal.ts";

const SECRET = "xoxp-very-secret-4711";
const FORM_ENCODED = "application/x-www-form-urlencoded";

const FORM: Form = {
  id: "deploy-key",
  title: "Deploy key",
  submitLabel: "Save",
  pages: [
    {
      title: "Key",
      fields: [
        { name: "name", label: "Name", kind: "text", required: true },
        { name: "token", label: "Token", kind: "secret", required: true },
      ],
    },
    { title: "Where", fields: [{ name: "env", label: "Environment", kind: "text", required: true }] },
  ],
};

/** A form with a secret field whose submit fails once, so the failure path's logging is covered too. */
const plugin: Plugin = {
  id: "secret-form",
  register(api) {
    let failures = 1;
    api.addCommand({
      name: "deploy-key",
      phrases: ["deploy key"],
      summary: "",
      usage: "deploy key",
      handler: () => ({ ...reply("Opening"), form: FORM }),
    });
    api.addForm({
      id: FORM.id,
      open: () => FORM,
      validate: (_form, page, values): FieldErrors =>
        page === 1 && values.env === "prod" ? { env: "Not prod, not from chat." } : {},
      submit: (_form, values) => {
        if (failures-- > 0) throw new Error("the vault is sealed");
        // The submit gets the secret; what it answers says only that it was set.
        return reply(`Saved ${String(values.name)} (token ${values.token === SECRET ? "set" : "missing"})`);
      },
    });
  },
};

let triggers = 0;
const trigger = () => `13345224609.${++triggers}.secret`;

describe("a secret form field on Slack", () => {
  let bot: SlackHarness;

  beforeAll(async () => {
    // Debug level: everything Bolt and the adapter would ever log about a request.
    bot = await startSlackHarness({ plugins: [plugin], logLevel: "trace" });
  });
  afterAll(() => bot.close());

  const submit = async (view: Record<string, unknown>, values: Record<string, unknown>) => {
    const sent = await sendSigned(
      bot.server.url,
      viewSubmissionBody({ view, values: values as never, triggerId: trigger() }),
      FORM_ENCODED,
    );
    return sent.body ? (JSON.parse(sent.body) as Record<string, unknown>) : {};
  };
  const text = (name: string, value: string) => ({ [name]: { value: { type: "plain_text_input", value } } });

  it("never reaches the logs, a view Slack is sent, or the answer, through Back, errors and a failed submit", async () => {
    const body = slashCommandBody("/callboard", "deploy key", bot.api.responseUrl("key-1"), trigger());
    await sendSigned(bot.server.url, body, FORM_ENCODED);
    const opened = await bot.api.waitFor((c) => c.method === "views.open");
    const page1 = opened.args.view as Record<string, unknown>;

    const next = await submit(page1, { ...text("name", "ci"), ...text("token", SECRET) });
    expect(next).toMatchObject({ response_action: "update" });
    const page2 = next.view as Record<string, unknown>;
    expect(await submit(page2, text("env", "prod"))).toMatchObject({ response_action: "errors" });
    // Back and Next again: the secret is kept by the core, never filled back into the view.
    await sendSigned(
      bot.server.url,
      viewBlockActionsBody({
        view: { ...page2, id: "V0SECRET", hash: "1700000401.s3" },
        values: text("env", "staging") as never,
        actionId: BACK_ACTION_ID,
        value: "back",
        triggerId: trigger(),
      }),
      FORM_ENCODED,
    );
    const back = await bot.api.waitFor((c) => c.method === "views.update");
    const again = await submit(back.args.view as Record<string, unknown>, {
      ...text("name", "ci"),
      ...text("token", ""),
    });
    expect(again).toMatchObject({ response_action: "update" });
    // The first submit fails (logged), the second succeeds.
    const failed = await submit(again.view as Record<string, unknown>, text("env", "staging"));
    expect(failed).toMatchObject({ response_action: "errors" });
    expect(await submit(again.view as Record<string, unknown>, text("env", "staging"))).toEqual({
      response_action: "clear",
    });
    const saved = await bot.api.waitForResponse("key-1");
    expect(saved.args.text).toBe("Saved ci (token set)");
    await bot.adapter.drain();

    expect(bot.logLines.length).toBeGreaterThan(0);
    expect(bot.logLines.join("\n")).toContain("the vault is sealed");
    expect(bot.logLines.join("\n")).not.toContain(SECRET);
    expect(JSON.stringify(bot.api.calls)).not.toContain(SECRET);
  });
});
