import { randomUUID } from "node:crypto";
import { createInterface, type Interface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { FormField } from "../../message/form.ts";
import type { Action, Reply } from "../../message/reply.ts";
import type { ChatUser, Conversation } from "../../plugins/api.ts";
import type { Address, MessageRef } from "../../plugins/outbox.ts";
import { actionPayload } from "../core/action-codec.ts";
import type { Adapter, AdapterServices } from "../core/adapter.ts";
import type { Outcome } from "../core/chat-core.ts";
import type { FormStep } from "../core/form-sessions.ts";
import type { RawValues } from "../core/form-values.ts";
import { plainText, renderText } from "./render-text.ts";

export interface ShellAdapterOptions {
  input: Readable;
  output: Writable;
  /** A terminal: prompt, and ask form fields one by one. Otherwise a script: one command a line. */
  interactive: boolean;
  user: ChatUser;
  banner?: string;
}

const EXIT = new Set(["exit", "quit", "bye", ":q"]);
const BACK = new Set([":back", "<"]);
const CANCEL = new Set([":cancel"]);
/** Said when a form opens: typing "back" or "cancel" would be taken as an answer. */
const FORM_KEYS =
  "(Enter keeps the value in [brackets]; :back goes to the previous page, :cancel drops the form.)";
/** Marks the answers of a page left with `:back` (a key no field can have). */
const GO_BACK = Symbol("back");
type BackWith = { [GO_BACK]: RawValues };

/**
 * The terminal chat as an adapter. Piped input is a script: each line is a command, each answer is printed as
 * plain text followed by a blank line, and the session ends at end of input. A numbered choice runs when its
 * number is typed. Forms are asked field by field; `:back` at any question returns to the previous page and
 * `:cancel` drops the form. Messages posted later (a job's progress) are printed as they come; the terminal
 * cannot edit what it printed, so an update is printed again, marked as one.
 */
export function createShellAdapter(options: ShellAdapterOptions, services: AdapterServices): Adapter {
  const { input, output, interactive, user } = options;
  const { core } = services;
  const session = randomUUID();
  const address: Address = { adapter: "shell", session };
  const conversation: Conversation = { surface: "shell", channelId: "terminal", address };
  let lines: Interface | undefined;
  let iterator: AsyncIterator<string> | undefined;
  let choices: Action[] = [];
  let posted = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let loop: Promise<void> | undefined;

  const write = (text: string) => output.write(terminalSafe(text.endsWith("\n") ? text : `${text}\n`));
  const prompt = () => {
    if (!interactive || !lines) return;
    lines.setPrompt("callboard> ");
    lines.prompt();
  };
  const ask = async (question: string): Promise<string | undefined> => {
    if (interactive) output.write(terminalSafe(question));
    const next = await iterator!.next();
    return next.done ? undefined : String(next.value);
  };

  /** Print an answer, keeping the rest of a long one behind a numbered "Show more". */
  async function show(answer: Reply): Promise<void> {
    const rendered = await core.fit(answer, (reply, more) => renderText(reply, more));
    choices = rendered.choices;
    output.write(terminalSafe(`${rendered.text}\n\n`));
  }

  /** Ask one page's fields; undefined when input ended, or the intent the person typed instead. */
  async function askPage(
    step: Extract<FormStep, { kind: "page" }>,
  ): Promise<RawValues | BackWith | "back" | "cancel" | undefined> {
    const page = step.form.pages[step.page]!;
    const raw: RawValues = {};
    if (page.description?.trim()) write(plainText(page.description));
    const asked = page.fields.filter((f) => f.kind !== "hidden");
    if (asked.length === 0) {
      // A page that only shows something (a review before Run): the person confirms it, or goes back.
      const last = step.page === step.form.pages.length - 1;
      const answer = await ask(
        `Press Enter to ${last ? (step.form.submitLabel ?? "submit") : "go on"} (:back, :cancel): `,
      );
      if (answer === undefined) return undefined;
      if (BACK.has(answer.trim())) return "back";
      if (CANCEL.has(answer.trim())) return "cancel";
      return raw;
    }
    // A hidden field is never asked: it keeps the value the form gave it.
    for (const field of asked) {
      const error = step.errors[field.name];
      if (error) write(`! ${plainText(error)}`);
      const current = step.values[field.name];
      // What the field wants (a template's description, an example) is the only guidance a terminal has.
      if (interactive) for (const line of guidance(field)) write(`  ${line}`);
      const answer = await ask(question(field, current));
      if (answer === undefined) return undefined;
      const typed = answer.trim();
      if (BACK.has(typed)) {
        // Back keeps this page's answers: those typed, and what the rest already held.
        for (const rest of asked) {
          if (raw[rest.name] === undefined && step.values[rest.name] !== undefined) {
            raw[rest.name] = formatValue(step.values[rest.name]);
          }
        }
        return { [GO_BACK]: raw };
      }
      if (CANCEL.has(typed)) return "cancel";
      // An empty answer keeps what is there (a default, or what was typed before Back).
      raw[field.name] = typed === "" && current !== undefined ? formatValue(current) : typed;
    }
    const formLevel = step.errors._form;
    if (formLevel) write(`! ${plainText(formLevel)}`);
    return raw;
  }

  /** Walk a form from `step` to its end, printing whatever it ends with. */
  async function runForm(first: FormStep): Promise<void> {
    let step = first;
    let announced = "";
    while (step.kind === "page") {
      if (announced !== step.session) {
        write(plainText(step.form.title));
        write(FORM_KEYS);
        announced = step.session;
      }
      const current = step.form.pages[step.page]!;
      write(`-- ${plainText(current.title)} (page ${step.page + 1} of ${step.form.pages.length}) --`);
      const answered = await askPage(step);
      if (answered === undefined) {
        await core.formStep(step.session, step.page, {}, "cancel", user);
        write("Form cancelled: input ended.");
        return;
      }
      step =
        typeof answered === "string"
          ? await core.formStep(step.session, step.page, {}, answered, user)
          : GO_BACK in answered
            ? await core.formStep(step.session, step.page, answered[GO_BACK], "back", user)
            : await core.formStep(step.session, step.page, answered, "next", user);
    }
    await show(step.reply);
  }

  async function handle(outcome: Outcome | Reply): Promise<void> {
    if ("kind" in outcome) {
      if (outcome.kind === "reply") return handle(outcome.reply);
      if (outcome.kind === "page") return runForm(outcome);
      return show(outcome.reply);
    }
    if (outcome.form) return runForm(await core.openForm({ ...outcome, form: outcome.form }, inbound("")));
    return show(outcome);
  }

  function inbound(text: string) {
    return { text, user, conversation };
  }

  async function run(): Promise<void> {
    lines = createInterface({ input, output: interactive ? output : undefined, terminal: interactive });
    iterator = lines[Symbol.asyncIterator]();
    if (options.banner && interactive) write(options.banner);
    prompt();
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        const line = String(next.value).trim();
        if (line.length === 0 || line.startsWith("#")) {
          prompt();
          continue;
        }
        if (EXIT.has(line.toLowerCase())) break;
        const chosen = /^\d+$/.test(line) ? choices[Number(line) - 1] : undefined;
        const payload = chosen ? actionPayload(chosen) : undefined;
        try {
          await handle(
            payload ? await core.press(payload, { user, conversation }) : await core.message(inbound(line)),
          );
        } catch (error) {
          await show(core.failure(`running "${line.slice(0, 60)}"`, error));
        }
        prompt();
      }
    } finally {
      lines.close();
      finish();
    }
  }

  return {
    name: "shell",
    capabilities: { ephemeral: false, modals: false, updateInPlace: false, threads: false },
    routes: [],
    finished,
    async start() {
      loop ??= run();
    },
    async stop() {
      // End the input, so the answer under way finishes and the loop ends after it.
      lines?.close();
      await loop;
    },
    async post(to, reply) {
      if (to.session !== session) throw new Error("That terminal session has ended.");
      const id = String(++posted);
      await show(reply);
      return { address: to, id };
    },
    async update(ref: MessageRef, reply) {
      if (ref.address.session !== session) throw new Error("That terminal session has ended.");
      // A terminal cannot change what it printed: the update is printed as a follow-up.
      const id = String(++posted);
      write(`(update to message ${ref.id})`);
      await show(reply);
      return { address: ref.address, id };
    },
  };
}

function question(field: FormField, current: unknown): string {
  const hint = field.options ? ` (${field.options.map((o) => o.value).join(" | ")})` : "";
  const now = current !== undefined && !field.secret ? ` [${formatValue(current)}]` : "";
  const required = field.required ? " *" : "";
  return `${plainText(field.label)}${required}${hint}${now}: `;
}

/**
 * Control characters shown as their Unicode pictures (ESC as ␛), so that nothing printed (a typed line echoed
 * back, a catalog description, a template's log) can move the cursor, recolour, retitle or clear the person's
 * terminal. Line breaks and tabs stay.
 */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x20 ? String.fromCharCode(0x2400 + code) : code === 0x7f ? "\u2421" : "\ufffd";
  });
}

/** Lines printed above a field's question: its description, an example, and the form a repository URL takes. */
function guidance(field: FormField): string[] {
  const lines = field.description?.trim() ? plainText(field.description.trim()).split("\n") : [];
  if (field.placeholder?.trim()) lines.push(`e.g. ${plainText(field.placeholder.trim())}`);
  else if (field.kind === "repoUrl") {
    const host = field.repo?.allowedHosts?.[0] ?? "github.com";
    const owner = field.repo?.allowedOwners?.[0] ?? field.repo?.allowedOrganizations?.[0] ?? "<owner>";
    lines.push(`As host?owner=…&repo=…, e.g. ${host}?owner=${owner}&repo=<name>`);
  }
  return lines;
}

function formatValue(value: unknown): string {
  return Array.isArray(value) ? value.join(", ") : String(value);
}
