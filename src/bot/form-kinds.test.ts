import { PassThrough } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { Form, FormValues } from "../message/form.ts";
import { reply } from "../message/reply.ts";
import { Registry } from "../plugins/registry.ts";
import { Router } from "./core/router.ts";
import { createShellAdapter } from "./shell/shell-adapter.ts";
import { chatCoreOver } from "../../test/fixtures/chat-core.ts";
import { MemoryConversationStore, MemoryEventLedger } from "../../test/fixtures/memory-ports.ts";
import { readModalValues, renderModal } from "./slack/render-modal.ts";
import { decodePageValues } from "./core/form-values.ts";
import { renderFormCard } from "./teams/render-form.ts";

/**
 * The field kinds software templates brought (radio, secret, hidden, multiEntity, tags) on every surface:
 * none may crash a renderer; each shows as the nearest input the surface has, and hidden fields stay hidden.
 */
const FORM: Form = {
  id: "kinds",
  title: "Every kind",
  pages: [
    {
      title: "Page",
      fields: [
        {
          name: "size",
          label: "Size",
          kind: "radio",
          options: [
            { value: "s", label: "Small" },
            { value: "l", label: "Large" },
          ],
        },
        { name: "token", label: "Token", kind: "secret", secret: true },
        { name: "origin", label: "Origin", kind: "hidden", default: "chat" },
        { name: "consumers", label: "Consumers", kind: "multiEntity" },
        { name: "labels", label: "Tags", kind: "tags" },
      ],
    },
  ],
};

describe("new field kinds", () => {
  it("Slack: radio is a static select, multiEntity a multi external select, hidden is not shown, the rest are text", () => {
    const view = renderModal(FORM, 0, "{}");
    const inputs = view.blocks.filter((b) => b.type === "input") as Array<{
      block_id: string;
      element: { type: string };
    }>;
    expect(inputs.map((b) => [b.block_id, b.element.type])).toEqual([
      ["size", "static_select"],
      ["token", "plain_text_input"],
      ["consumers", "multi_external_select"],
      ["labels", "plain_text_input"],
    ]);
    const values = readModalValues(FORM, 0, {
      size: { v: { type: "static_select", selected_option: { value: "l" } } },
      token: { v: { type: "plain_text_input", value: "s3cret" } },
      consumers: { v: { type: "plain_text_input", value: "a, b" } },
    });
    expect(values).toEqual({ size: "l", token: "s3cret", consumers: "a, b" });
    const picked = readModalValues(FORM, 0, {
      consumers: {
        "pick|entity": {
          type: "multi_external_select",
          selected_options: [{ value: "component:default/a" }, { value: "component:default/b" }],
        },
      },
    });
    expect(picked).toEqual({ consumers: ["component:default/a", "component:default/b"] });
  });

  it("Teams: radio and multiEntity are choice sets, secret a password box, hidden is not shown", () => {
    const card = renderFormCard(FORM, { pageIndex: 0, session: "s" });
    const inputs = card.body.filter((e) => String(e.type).startsWith("Input."));
    expect(inputs.map((e) => [e.id, e.type, e.style])).toEqual([
      ["size", "Input.ChoiceSet", "compact"],
      ["token", "Input.Text", "password"],
      ["consumers", "Input.ChoiceSet", "compact"],
      ["labels", "Input.Text", undefined],
    ]);
    expect(decodePageValues(FORM.pages[0]!, { size: "s", labels: "x,y" }).values).toEqual({
      size: "s",
      labels: "x,y",
    });
  });

  it("terminal: hidden fields are not asked and submit their default", async () => {
    const registry = new Registry(pino({ level: "silent" }));
    let submitted: FormValues | undefined;
    await registry.use({
      id: "kinds",
      register(api) {
        api.addCommand({
          name: "kinds",
          phrases: ["kinds"],
          summary: "",
          usage: "kinds",
          handler: () => ({ ...reply("form"), form: FORM }),
        });
        api.addForm({
          id: "kinds",
          open: () => FORM,
          validate: () => ({}),
          submit: (_form, values) => {
            submitted = values;
            return reply("done");
          },
        });
      },
    });
    const log = pino({ level: "silent" });
    const { core } = chatCoreOver(registry, new Router(registry, log), log);
    const input = new PassThrough();
    const output = new PassThrough();
    const shell = createShellAdapter(
      { input, output, interactive: false, user: { surface: "shell", id: "me" } },
      {
        core,
        ledger: new MemoryEventLedger(),
        conversations: new MemoryConversationStore(),
        log,
        baseUrl: "",
        production: false,
      },
    );
    await shell.start();
    input.end("kinds\nl\ns3cret\na,b\nx\n");
    await shell.finished;
    expect(submitted).toEqual({ size: "l", token: "s3cret", origin: "chat", consumers: "a,b", labels: "x" });
  });
});
