import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { Form, FormValues } from "../../message/form.ts";
import type { Reply } from "../../message/reply.ts";
import type { ChatUser, Conversation } from "../../plugins/api.ts";
import type { Router } from "../router.ts";
import { plainText, renderText } from "./render-text.ts";

export interface ShellOptions {
  input: Readable;
  output: Writable;
  /** Interactive (a terminal): prompt, number the buttons, ask form fields. Otherwise one command a line. */
  interactive: boolean;
  user: ChatUser;
  banner?: string;
}

const EXIT = new Set(["exit", "quit", "bye", ":q"]);

/**
 * The terminal chat. Piped input is a script: each line is a command, each answer is printed as plain
 * text followed by a blank line, and the process ends at end of input.
 */
export async function runShell(router: Router, options: ShellOptions): Promise<void> {
  const { input, output, interactive } = options;
  const conversation: Conversation = { surface: "shell", channelId: "terminal" };
  const lines = createInterface({ input, output: interactive ? output : undefined, terminal: interactive });
  const write = (text: string) => output.write(text.endsWith("\n") ? text : `${text}\n`);
  let choices: { command?: string }[] = [];
  const prompt = () => {
    if (!interactive) return;
    lines.setPrompt("callboard> ");
    lines.prompt();
  };
  if (options.banner && interactive) write(options.banner);
  prompt();

  const iterator = lines[Symbol.asyncIterator]();
  const ask = async (question: string): Promise<string | undefined> => {
    if (interactive) output.write(question);
    const next = await iterator.next();
    return next.done ? undefined : String(next.value);
  };

  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    let line = String(next.value).trim();
    if (line.length === 0 || line.startsWith("#")) {
      prompt();
      continue;
    }
    if (EXIT.has(line.toLowerCase())) break;
    const chosen = /^\d+$/.test(line) ? choices[Number(line) - 1] : undefined;
    if (chosen?.command) line = chosen.command;
    const inbound = { text: line, user: options.user, conversation };
    let answer: Reply = await router.handle(inbound);
    if (answer.form) answer = await fillForm(router, answer.form, inbound, ask, write);
    const rendered = renderText(answer).output;
    choices = rendered.choices;
    output.write(`${rendered.text}\n\n`);
    prompt();
  }
  lines.close();
}

/** Terminal prompts for a form: one question a field, page by page, re-asking a field that fails. */
async function fillForm(
  router: Router,
  form: Form,
  inbound: { text: string; user: ChatUser; conversation: Conversation },
  ask: (question: string) => Promise<string | undefined>,
  write: (text: string) => void,
): Promise<Reply> {
  const values: FormValues = {};
  write(plainText(form.title));
  for (let page = 0; page < form.pages.length; page++) {
    const current = form.pages[page]!;
    write(`-- ${plainText(current.title)} --`);
    for (;;) {
      for (const field of current.fields) {
        if (field.kind === "hidden") {
          if (field.default !== undefined) values[field.name] = field.default;
          continue;
        }
        const hint = field.options ? ` (${field.options.map((o) => o.value).join(" | ")})` : "";
        const fallback = field.default !== undefined ? ` [${String(field.default)}]` : "";
        const answer = await ask(`${field.label}${hint}${fallback}: `);
        if (answer === undefined) return { text: "Form cancelled: input ended.", blocks: [] };
        const raw = answer.trim();
        if (raw === "" && field.default !== undefined) values[field.name] = field.default;
        else if (field.kind === "boolean") values[field.name] = /^(y|yes|true|1)$/i.test(raw);
        else if (field.kind === "number") values[field.name] = raw === "" ? undefined : Number(raw);
        else if (field.kind === "multiselect")
          values[field.name] = raw
            .split(",")
            .map((v) => v.trim())
            .filter(Boolean);
        else values[field.name] = raw === "" ? undefined : raw;
      }
      const errors = await router.validateForm(form, page, values);
      const problems = Object.entries(errors);
      if (problems.length === 0) break;
      for (const [field, message] of problems) write(`! ${field}: ${message}`);
    }
  }
  return router.submitForm(form, values, inbound);
}
