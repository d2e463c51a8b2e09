import pino from "pino";
import { describe, expect, it } from "vitest";
import type { Form, FormValues } from "../../message/form.ts";
import { reply } from "../../message/reply.ts";
import type { ChatUser, CommandContext, FormDefinition } from "../../plugins/api.ts";
import { SecretBox } from "../../state/secret-box.ts";
import { MemoryFormSessionStore } from "../../../test/fixtures/memory-ports.ts";
import { FormSessions, type FormOrigin, type FormStep } from "./form-sessions.ts";

const log = pino({ level: "silent" });
const user: ChatUser = { surface: "shell", id: "ada" };
const origin: FormOrigin = { text: "new thing", user, conversation: { surface: "shell" } };

const FORM: Form = {
  id: "new-thing",
  title: "New thing",
  pages: [
    {
      title: "Name",
      fields: [
        { name: "name", label: "Name", kind: "text", required: true },
        { name: "token", label: "Token", kind: "text", secret: true, required: true },
      ],
    },
    {
      title: "Shape",
      fields: [
        { name: "replicas", label: "Replicas", kind: "number", default: 2 },
        { name: "public", label: "Public", kind: "boolean" },
        { name: "tags", label: "Tags", kind: "multiselect" },
      ],
    },
  ],
};

function setup(options: { submit?: FormDefinition["submit"]; now?: () => Date } = {}) {
  const submitted: FormValues[] = [];
  const definition: FormDefinition = {
    id: FORM.id,
    open: () => FORM,
    validate: (_form, page, values): Record<string, string> =>
      page === 0 && typeof values.name === "string" && !/^[a-z-]+$/.test(values.name)
        ? { name: "Use lower-case letters and dashes." }
        : {},
    submit:
      options.submit ??
      ((_form, values) => {
        submitted.push(values);
        return reply(`Created ${String(values.name)}`);
      }),
  };
  const store = new MemoryFormSessionStore();
  const sessions = new FormSessions({
    store,
    secrets: SecretBox.fromText("test key"),
    definition: (id) => (id === FORM.id ? definition : undefined),
    contextFor: async (o, u) =>
      ({ args: "", flags: {}, text: o.text, user: u, conversation: o.conversation, log }) as CommandContext,
    log,
    ...(options.now ? { now: options.now } : {}),
  });
  return { sessions, store, submitted };
}

function page(step: FormStep) {
  if (step.kind !== "page") throw new Error(`expected a page, got ${step.kind}: ${JSON.stringify(step)}`);
  return step;
}

describe("FormSessions", () => {
  it("walks the pages, types what the platform sent, and submits once with every value", async () => {
    const { sessions, submitted } = setup();
    const first = page(await sessions.open(FORM, origin));
    expect(first.page).toBe(0);
    expect(first.values).toEqual({ replicas: 2 });
    const second = page(
      await sessions.step(first.session, 0, { name: "orders", token: "s3cret" }, "next", user),
    );
    expect(second.page).toBe(1);
    const done = await sessions.step(
      first.session,
      1,
      { replicas: "3", public: "true", tags: "a, b,a" },
      "next",
      user,
    );
    expect(done).toMatchObject({ kind: "submitted", reply: { text: "Created orders" } });
    expect(submitted).toEqual([
      { name: "orders", token: "s3cret", replicas: 3, public: true, tags: ["a", "b"] },
    ]);
    // A second press of Submit, or a copy of the request on another replica, does not run it again.
    expect(await sessions.step(first.session, 1, {}, "next", user)).toMatchObject({
      kind: "closed",
      reply: { text: "This form was already submitted." },
    });
    expect(submitted).toHaveLength(1);
  });

  it("runs the submit once when two requests race on the last page", async () => {
    const { sessions, submitted } = setup();
    const { session } = page(await sessions.open(FORM, origin));
    await sessions.step(session, 0, { name: "orders", token: "t" }, "next", user);
    const results = await Promise.all([
      sessions.step(session, 1, { replicas: "1" }, "next", user),
      sessions.step(session, 1, { replicas: "1" }, "next", user),
    ]);
    expect(results.map((r) => r.kind).sort()).toEqual(["closed", "submitted"]);
    expect(submitted).toHaveLength(1);
  });

  it("returns errors per field on their page: required, wrong type, the definition's own check", async () => {
    const { sessions } = setup();
    const { session } = page(await sessions.open(FORM, origin));
    const missing = page(await sessions.step(session, 0, { name: "  " }, "next", user));
    expect(missing.page).toBe(0);
    expect(missing.errors).toEqual({ name: "Name is required.", token: "Token is required." });
    const invalid = page(await sessions.step(session, 0, { name: "Orders API", token: "t" }, "next", user));
    expect(invalid.errors).toEqual({ name: "Use lower-case letters and dashes." });
    expect(invalid.values.name).toBe("Orders API");
    await sessions.step(session, 0, { name: "orders", token: "t" }, "next", user);
    const notANumber = page(await sessions.step(session, 1, { replicas: "three" }, "next", user));
    expect(notANumber.errors).toEqual({ replicas: 'Replicas must be a number, not "three".' });
  });

  it("Back keeps what was typed on both pages; secrets are kept but never shown back", async () => {
    const { sessions, submitted } = setup();
    const { session } = page(await sessions.open(FORM, origin));
    await sessions.step(session, 0, { name: "orders", token: "hunter2" }, "next", user);
    const back = page(await sessions.step(session, 1, { replicas: "5", tags: ["x"] }, "back", user));
    expect(back.page).toBe(0);
    expect(back.values).toEqual({ name: "orders", replicas: 5, public: false, tags: ["x"] });
    expect(JSON.stringify(back)).not.toContain("hunter2");
    // The secret input comes back empty; leaving it empty keeps the secret typed before.
    const again = page(await sessions.step(session, 0, { name: "orders" }, "next", user));
    expect(again.values).toMatchObject({ replicas: 5, tags: ["x"] });
    await sessions.step(session, 1, { replicas: "5", tags: ["x"] }, "next", user);
    expect(submitted[0]).toMatchObject({ token: "hunter2", replicas: 5 });
  });

  it("submits a hidden field's default: no surface shows it, so none sends it", async () => {
    const submitted: FormValues[] = [];
    const form: Form = {
      id: "hidden-default",
      title: "Hidden",
      pages: [
        {
          title: "Only",
          fields: [
            { name: "name", label: "Name", kind: "text" },
            { name: "origin", label: "Origin", kind: "hidden", default: "chat" },
          ],
        },
      ],
    };
    const sessions = new FormSessions({
      store: new MemoryFormSessionStore(),
      secrets: SecretBox.fromText("test key"),
      definition: () => ({
        id: form.id,
        open: () => form,
        validate: () => ({}),
        submit: (_form, values) => {
          submitted.push(values);
          return reply("done");
        },
      }),
      contextFor: async (o, u) =>
        ({ args: "", flags: {}, text: o.text, user: u, conversation: o.conversation, log }) as CommandContext,
      log,
    });
    const { session } = page(await sessions.open(form, origin));
    expect((await sessions.step(session, 0, { name: "x" }, "next", user)).kind).toBe("submitted");
    expect(submitted).toEqual([{ name: "x", origin: "chat" }]);
  });

  it("never stores a secret in clear", async () => {
    const { sessions, store } = setup();
    const { session } = page(await sessions.open(FORM, origin));
    await sessions.step(session, 0, { name: "orders", token: "hunter2" }, "next", user);
    expect(JSON.stringify([...store.sessions.values()])).not.toContain("hunter2");
  });

  it("seals a field of the secret kind (a template's Secret field) as it does one marked secret", async () => {
    const { sessions, store } = setup();
    const form: Form = {
      ...FORM,
      pages: [{ title: "Key", fields: [{ name: "apiKey", label: "API key", kind: "secret" }] }],
    };
    const { session } = page(await sessions.open(form, origin));
    const shown = await sessions.step(session, 0, { apiKey: "sk-live-123" }, "back", user);
    expect(JSON.stringify(shown)).not.toContain("sk-live-123");
    expect(JSON.stringify([...store.sessions.values()])).not.toContain("sk-live-123");
  });

  it("answers a stale page with the page the session is on", async () => {
    const { sessions } = setup();
    const { session } = page(await sessions.open(FORM, origin));
    await sessions.step(session, 0, { name: "orders", token: "t" }, "next", user);
    const stale = page(await sessions.step(session, 0, { name: "other", token: "t" }, "next", user));
    expect(stale.page).toBe(1);
    expect(stale.values.name).toBe("orders");
  });

  it("cancels, expires, and refuses ids it never gave out", async () => {
    let now = new Date("2030-01-01T00:00:00Z");
    const { sessions } = setup({ now: () => now });
    const a = page(await sessions.open(FORM, origin));
    expect(await sessions.step(a.session, 0, {}, "cancel", user)).toMatchObject({
      kind: "closed",
      reply: { text: "New thing: cancelled." },
    });
    expect((await sessions.step(a.session, 0, { name: "x" }, "next", user)).kind).toBe("closed");
    const b = page(await sessions.open(FORM, origin));
    now = new Date(now.getTime() + 25 * 60 * 60 * 1000);
    expect((await sessions.step(b.session, 0, { name: "x", token: "t" }, "next", user)).kind).toBe("closed");
    expect((await sessions.step("not-an-id", 0, {}, "next", user)).kind).toBe("closed");
    expect((await sessions.current("")).kind).toBe("closed");
  });

  it("lets the person submit again when the submit itself failed", async () => {
    let fail = true;
    const { sessions } = setup({
      submit: () => {
        if (fail) throw new Error("catalog unavailable");
        return reply("ok");
      },
    });
    const { session } = page(await sessions.open(FORM, origin));
    await sessions.step(session, 0, { name: "orders", token: "t" }, "next", user);
    await expect(sessions.step(session, 1, {}, "next", user)).rejects.toThrow("catalog unavailable");
    fail = false;
    expect((await sessions.step(session, 1, {}, "next", user)).kind).toBe("submitted");
  });
});
