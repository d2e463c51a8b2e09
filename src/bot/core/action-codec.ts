import type { Action } from "../../message/reply.ts";

/**
 * What a button carries back when pressed, the same for every platform: a command to run as if typed, a form
 * to open (a registered form with its arguments, or a form session already under way), or the id of the rest
 * of a cut answer. Compact, because Slack caps a button's value at 2,000 characters.
 */
export type ActionPayload =
  { command: string } | { form: string; args?: string; session?: string } | { continuation: string };

export function actionPayload(action: Action): ActionPayload | undefined {
  if (action.continuation) return { continuation: action.continuation };
  if (action.form) {
    return {
      form: action.form.id,
      ...(action.form.args ? { args: action.form.args } : {}),
      ...(action.form.session ? { session: action.form.session } : {}),
    };
  }
  if (action.command !== undefined) return { command: action.command };
  return undefined;
}

export function encodeActionPayload(payload: ActionPayload): string {
  if ("continuation" in payload) return JSON.stringify({ m: payload.continuation });
  if ("form" in payload) {
    return JSON.stringify({
      f: payload.form,
      ...(payload.args ? { a: payload.args } : {}),
      ...(payload.session ? { s: payload.session } : {}),
    });
  }
  return JSON.stringify({ c: payload.command });
}

/** The payload of a pressed button, or undefined for anything we did not write (an old message, a forgery). */
export function decodeActionPayload(raw: unknown): ActionPayload | undefined {
  let parsed: unknown = raw;
  if (typeof raw === "string") {
    if (raw.length > 4000) return undefined;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return undefined;
  const { c, f, a, s, m } = parsed as Record<string, unknown>;
  if (typeof m === "string") return { continuation: m };
  if (typeof f === "string") {
    return {
      form: f,
      ...(typeof a === "string" && a ? { args: a } : {}),
      ...(typeof s === "string" && s ? { session: s } : {}),
    };
  }
  if (typeof c === "string") return { command: c };
  return undefined;
}
