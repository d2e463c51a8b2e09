import { z } from "zod";

/**
 * A verified Slack request body, read and shape-checked before Bolt sees it. Bolt's App dereferences the body
 * as the type it guesses (body.event.channel, body.user.id, body.view.callback_id ...) with no checks, so a
 * signed `null`, `[]` or half-formed payload would throw inside it. Here each kind Slack sends is parsed from
 * the encoding Slack uses for it (events as JSON; slash commands as form fields; interactions as a form field
 * `payload` holding JSON) and checked for the fields Bolt and Callboard's listeners read.
 */
export type SlackRequest =
  | { kind: "url_verification"; challenge: string }
  | { kind: "app_rate_limited" }
  /** A body for App.processEvent; `what` names it for the log. */
  | { kind: "dispatch"; body: Record<string, unknown>; what: string };

export type ParsedRequest = SlackRequest | { kind: "invalid"; reason: string };

const text = z.string();
const id = z.string().min(1).max(255);
const url = z.string().regex(/^https?:\/\/\S+$/);
const person = z.looseObject({ id, team_id: z.string().optional() });
const team = z.looseObject({ id: z.string().optional() }).nullable().optional();

/** Fields Bolt reads on every event (buildSource, getTypeAndConversation) must be what it expects if present. */
const anyEvent = z.looseObject({
  type: id,
  user: z.union([text, z.looseObject({})]).optional(),
  channel: z.union([text, z.looseObject({})]).optional(),
  channel_id: text.optional(),
  item: z.looseObject({}).optional(),
  subteam: z.looseObject({}).optional(),
});

/** The events Callboard listens to, with the fields its listeners read. */
const listenedEvents: Record<string, z.ZodType> = {
  app_mention: z.looseObject({ channel: id, ts: id, text, user: id.optional(), thread_ts: id.optional() }),
  message: z.looseObject({
    channel: id,
    text: text.optional(),
    user: text.optional(),
    thread_ts: id.optional(),
  }),
  link_shared: z.looseObject({ channel: id, message_ts: id, links: z.array(z.looseObject({ url: text })) }),
  app_home_opened: z.looseObject({ user: id, tab: text.optional() }),
};

const eventCallback = z.looseObject({
  type: z.literal("event_callback"),
  event_id: id,
  team_id: text.optional(),
  authorizations: z.array(z.looseObject({})).optional(),
  event: anyEvent,
});

const urlVerification = z.looseObject({
  type: z.literal("url_verification"),
  challenge: z.string().min(1).max(1000),
});

/**
 * Slash command fields as Slack documents them. Unknown fields are dropped: Bolt decides the kind of a body
 * by which keys it has (`event` before `command`), so a stray `event=x` field would send a command down the
 * event path, where Bolt throws on it.
 */
const slashCommand = z.object({
  command: z.string().regex(/^\/[^\s/]{1,64}$/),
  text: text.default(""),
  user_id: id,
  user_name: text.optional(),
  channel_id: id,
  channel_name: text.optional(),
  team_id: text.optional(),
  team_domain: text.optional(),
  enterprise_id: text.optional(),
  enterprise_name: text.optional(),
  api_app_id: text.optional(),
  is_enterprise_install: text.optional(),
  response_url: url,
  trigger_id: id,
  token: text.optional(),
});

const interactionBase = {
  user: person,
  team,
  enterprise: z.looseObject({ id: z.string().optional() }).nullable().optional(),
  channel: z.looseObject({ id }).optional(),
  function_data: z.looseObject({}).optional(),
};

const view = z.looseObject({
  callback_id: text,
  private_metadata: text.optional(),
  state: z.looseObject({ values: z.record(z.string(), z.record(z.string(), z.looseObject({}))) }).optional(),
});

/** The interaction payloads a Callboard app can receive; the key is the payload's `type`. */
const interactions: Record<string, z.ZodType> = {
  block_actions: z.looseObject({
    ...interactionBase,
    trigger_id: id,
    response_url: url.optional(),
    actions: z.array(z.looseObject({ action_id: id, type: id, value: text.optional() })).min(1),
    container: z.looseObject({ type: text }).optional(),
    message: z.looseObject({ ts: id, thread_ts: id.optional() }).optional(),
  }),
  view_submission: z.looseObject({ ...interactionBase, view }),
  view_closed: z.looseObject({ ...interactionBase, view }),
  block_suggestion: z.looseObject({ ...interactionBase, action_id: id, block_id: id, value: text }),
  shortcut: z.looseObject({ ...interactionBase, callback_id: id, trigger_id: id }),
  message_action: z.looseObject({ ...interactionBase, callback_id: id, trigger_id: id }),
};

/** Slack's two encodings; anything else is not from Slack. */
export function mediaType(header: string | undefined): string {
  return (header ?? "").split(";")[0]!.trim().toLowerCase();
}

/** Slack's check of the request URL's certificate: a form post `ssl_check=1`, the one request it does not sign. */
export function isSslCheck(contentType: string, rawBody: Buffer): boolean {
  return (
    contentType === "application/x-www-form-urlencoded" &&
    new URLSearchParams(rawBody.toString("utf8")).get("ssl_check") === "1"
  );
}

export function parseSlackRequest(contentType: string, rawBody: Buffer): ParsedRequest {
  const raw = rawBody.toString("utf8");
  if (contentType === "application/json") return parseJsonBody(raw);
  if (contentType === "application/x-www-form-urlencoded") return parseFormBody(raw);
  return { kind: "invalid", reason: `content type ${contentType || "(none)"} is not one Slack sends` };
}

function parseJsonBody(raw: string): ParsedRequest {
  const json = parseJson(raw);
  if (!json.ok) return { kind: "invalid", reason: "the body is not JSON" };
  const type = isRecord(json.value) ? json.value.type : undefined;
  if (type === "url_verification") {
    const checked = urlVerification.safeParse(json.value);
    return checked.success
      ? { kind: "url_verification", challenge: checked.data.challenge }
      : invalid("url_verification", checked.error);
  }
  if (type === "app_rate_limited") return { kind: "app_rate_limited" };
  const envelope = eventCallback.safeParse(json.value);
  if (!envelope.success) {
    return isRecord(json.value) && type === "event_callback"
      ? invalid("event_callback", envelope.error)
      : { kind: "invalid", reason: "a JSON body must be an event_callback or url_verification object" };
  }
  const eventType = envelope.data.event.type;
  const eventShape = listenedEvents[eventType]?.safeParse(envelope.data.event);
  if (eventShape && !eventShape.success) return invalid(`${eventType} event`, eventShape.error);
  return { kind: "dispatch", body: envelope.data, what: `${eventType} event` };
}

function parseFormBody(raw: string): ParsedRequest {
  const fields = new URLSearchParams(raw);
  const payload = fields.get("payload");
  if (payload === null) {
    const command = slashCommand.safeParse(Object.fromEntries(fields));
    return command.success
      ? { kind: "dispatch", body: command.data, what: `slash command ${command.data.command}` }
      : invalid("slash command", command.error);
  }
  const json = parseJson(payload);
  if (!json.ok) return { kind: "invalid", reason: "the payload field is not JSON" };
  if (!isRecord(json.value) || typeof json.value.type !== "string") {
    return { kind: "invalid", reason: "the payload field must be an interaction object with a type" };
  }
  const type = json.value.type;
  const shape = interactions[type];
  if (!shape)
    return { kind: "invalid", reason: `interaction type ${clipped(type)} is not one Callboard handles` };
  const checked = shape.safeParse(json.value);
  if (!checked.success) return invalid(type, checked.error);
  // Bolt would read an `event` or `command` key first and take an interaction for an event or a command.
  if ("event" in json.value || "command" in json.value) {
    return { kind: "invalid", reason: `${type} payload carries an event or command field` };
  }
  return { kind: "dispatch", body: checked.data as Record<string, unknown>, what: type };
}

function parseJson(raw: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(what: string, error: z.ZodError): ParsedRequest {
  const issue = error.issues[0];
  const path = issue?.path.length ? issue.path.join(".") : "body";
  return { kind: "invalid", reason: `${what}: ${path}: ${issue?.message ?? "malformed"}` };
}

function clipped(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
