import { PassThrough } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { Form } from "../../message/form.ts";
import { actions, reply, section } from "../../message/reply.ts";
import type { Address, Plugin } from "../../plugins/api.ts";
import { buildTestCore } from "../../../test/fixtures/chat-core.ts";
import { MemoryConversationStore, MemoryEventLedger } from "../../../test/fixtures/memory-ports.ts";
import type { Adapter } from "../core/adapter.ts";
import { createShellAdapter } from "./shell-adapter.ts";

const log = pino({ level: "silent" });

const FORM: Form = {
  id: "new-thing",
  title: "New thing",
  submitLabel: "Create",
  pages: [
    {
      title: "Name",
      fields: [
        {
          name: "name",
          label: "Name",
          kind: "text",
          required: true,
          description: "Lower-case, e.g. `pay-api`.",
        },
        { name: "token", label: "Token", kind: "text", secret: true },
      ],
    },
    { title: "Shape", fields: [{ name: "replicas", label: "Replicas", kind: "number", default: 2 }] },
  ],
};

const plugin: Plugin = {
  id: "shell-test",
  register(api) {
    api.addCommand({
      name: "ping",
      phrases: ["ping"],
      summary: "",
      usage: "ping",
      handler: (ctx) =>
        reply("pong", section(`pong ${ctx.args}`), actions({ label: "Again", command: "ping again" })),
    });
    api.addCommand({
      name: "long",
      phrases: ["long"],
      summary: "",
      usage: "long",
      handler: () => reply("long", ...Array.from({ length: 200 }, (_, i) => section(`part ${i}`))),
    });
    api.addCommand({
      name: "new",
      phrases: ["new thing"],
      summary: "",
      usage: "new thing",
      handler: () => ({ ...reply("Opening the form"), form: FORM }),
    });
    api.addForm({
      id: FORM.id,
      open: () => FORM,
      validate: (_form, page, values): Record<string, string> =>
        page === 0 && values.name === "bad" ? { name: "Pick another name." } : {},
      submit: (_form, values) =>
        reply(
          `Created ${String(values.name)} with ${String(values.replicas)} replicas (token ${values.token ? "set" : "unset"})`,
        ),
    });
  },
};

async function session(script: string, interactive = false): Promise<{ printed: string; adapter: Adapter }> {
  const { core } = await buildTestCore([plugin], log);
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = "";
  output.on("data", (chunk) => (printed += String(chunk)));
  const adapter = createShellAdapter(
    { input, output, interactive, user: { surface: "shell", id: "me" } },
    {
      core,
      ledger: new MemoryEventLedger(),
      conversations: new MemoryConversationStore(),
      log,
      baseUrl: "http://localhost:3000",
      production: false,
    },
  );
  await adapter.start();
  input.end(script);
  await adapter.finished;
  return { printed, adapter };
}

describe("the terminal adapter", () => {
  it("answers one command a line when piped, and a number runs the numbered button", async () => {
    const { printed } = await session("ping one\n\n# a comment\n1\n");
    expect(printed).toBe("pong one\n[1] Again: ping again\n\npong again\n[1] Again: ping again\n\n");
  });

  it("never prints control characters: a typed escape sequence echoed back cannot drive the terminal", async () => {
    const { printed } = await session("ping \u001b[2J\u001b]0;owned\u0007x\r\u009b1m\u007f\n");
    // eslint-disable-next-line no-control-regex
    expect(printed).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(printed).toContain("pong \u241b[2J\u241b]0;owned\u2407x");
  });

  it("keeps the rest of a long answer behind a numbered Show more, to the end", async () => {
    const { printed } = await session("long\n1\n1\n");
    const parts = printed.split("\n\n").filter(Boolean);
    expect(parts).toHaveLength(3);
    expect(parts[0]).toContain("part 0\n");
    expect(parts[0]).toMatch(/part 78\n\[1\] Show more$/);
    expect(parts[1]).toMatch(/^part 79\n/);
    expect(parts[2]).toMatch(/^part 158\n/);
    expect(parts[2]).toContain("part 199");
    expect(parts[2]).not.toContain("Show more");
  });

  it("asks a form page by page, shows field errors, goes back, and submits", async () => {
    // Page 1 with a name the form refuses, again with a good one; Back from page 2; page 1 kept; submit.
    const { printed } = await session("new thing\nbad\ns3cret\ngood\n\n:back\n\n\n5\n");
    expect(printed).toContain(
      "New thing\n(Enter keeps the value in [brackets]; :back goes to the previous page",
    );
    expect(printed).toContain("-- Name (page 1 of 2) --");
    expect(printed).toContain("! Pick another name.");
    expect(printed).toContain("-- Shape (page 2 of 2) --");
    expect(printed).toContain("Created good with 5 replicas (token set)");
    expect(printed).not.toContain("s3cret");
  });

  it("in a terminal, says how to go back or cancel and what each field wants, with its description", async () => {
    const { printed } = await session("new thing\n:cancel\n", true);
    expect(printed).toContain(":back goes to the previous page, :cancel drops the form.");
    expect(printed).toContain("  Lower-case, e.g. pay-api.\n");
    expect(printed).toContain("Name *: ");
  });

  it("posts and updates messages later (a job's progress), each update printed as a follow-up", async () => {
    let address: Address | undefined;
    const where: Plugin = {
      id: "where",
      register(api) {
        api.addCommand({
          name: "where",
          phrases: ["where"],
          summary: "",
          usage: "where",
          handler: (ctx) => {
            address = ctx.conversation.address;
            return reply("noted");
          },
        });
      },
    };
    const { core } = await buildTestCore([where], log);
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = "";
    output.on("data", (chunk) => (printed += String(chunk)));
    const adapter = createShellAdapter(
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
    await adapter.start();
    input.write("where\n");
    while (!address) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(address.adapter).toBe("shell");
    const ref = await adapter.post(address, reply("Step 1 of 2: running"));
    const next = await adapter.update(JSON.parse(JSON.stringify(ref)), reply("Step 2 of 2: done"));
    expect(next.id).not.toBe(ref.id);
    await expect(adapter.post({ adapter: "shell", session: "another" }, reply("x"))).rejects.toThrow(/ended/);
    input.end();
    await adapter.finished;
    expect(printed).toContain(`Step 1 of 2: running\n\n(update to message ${ref.id})\nStep 2 of 2: done`);
  });
});
