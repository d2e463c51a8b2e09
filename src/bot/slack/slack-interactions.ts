import type { App, SlashCommand, types } from "@slack/bolt";
import type { Reply } from "../../message/reply.ts";
import type { ChatUser, Conversation } from "../../plugins/api.ts";
import { decodeActionPayload, type ActionPayload } from "../core/action-codec.ts";
import type { Outcome } from "../core/chat-core.ts";
import type { Destination } from "./answer-delivery.ts";
import { clip } from "./mrkdwn.ts";
import { BUTTON_ACTION_ID } from "./render-blocks.ts";
import { decodeMetadata, decodePickerActionId } from "./render-modal.ts";
import { SLACK_LIMITS } from "./slack-limits.ts";
import { deliverSubmitted, openModal } from "./slack-modals.ts";
import { publishHome } from "./slack-events.ts";
import { escapeRegExp } from "./message-text.ts";
import { PROFILE_WAIT_MS, slackConversation, type SlackRuntime } from "./slack-runtime.ts";
import { aliasWords } from "./slash-aliases.ts";

/** Alias → the words it stands for, where they differ from the alias's own name. */

/** Where an answer to an interaction goes, and where a note for the person alone goes. */
interface Reach {
  userId: string;
  triggerId: string;
  to: Destination;
  aside: Destination;
  /** Pressed in the Home tab: answers replace the tab. */
  home?: boolean;
}

/**
 * Slash commands, buttons and type-ahead pickers: each acked before anything else, then answered through the
 * chat core. A form the core asks for opens as a modal with the interaction's trigger.
 */
export function registerInteractions(app: App, rt: SlackRuntime, slashCommands: string[]): void {
  const { core, log } = rt;

  app.command(new RegExp(`^(${slashCommands.map(escapeRegExp).join("|")})$`), async ({ command, ack }) => {
    // Nothing before the ack: the users.info lookup, the command and the answer all come after it.
    await ack();
    rt.later(() => runSlashCommand(command));
  });

  async function runSlashCommand(command: SlashCommand): Promise<void> {
    const words = aliasWords(command.command);
    const text = `${words} ${command.text ?? ""}`.trim();
    const to: Destination = {
      userId: command.user_id,
      channel: command.channel_id,
      responseUrl: command.response_url,
    };
    const reach: Reach = {
      userId: command.user_id,
      triggerId: command.trigger_id,
      to,
      aside: to,
    };
    try {
      // The answer may be a form, and the trigger expires 3 s after the command: the profile lookup gets at
      // most PROFILE_WAIT_MS; an uncached person is then named by id.
      const user = await rt.chatUser(command.user_id, command.user_name, PROFILE_WAIT_MS);
      const conversation = slackConversation(command.channel_id);
      const answer = await core.message({ text, user, conversation });
      const origin = slackConversation(command.channel_id, undefined, command.response_url);
      await show({ kind: "reply", reply: answer }, reach, { text, user, conversation: origin });
    } catch (error) {
      const failed = core.failure(`running ${command.command} ${clip(command.text ?? "", 60)}`, error);
      await rt.delivery.deliver(to, failed).catch(() => undefined);
    }
  }

  app.action({ type: "block_actions", action_id: BUTTON_ACTION_ID }, async ({ ack, body, action }) => {
    // Nothing before the ack; the queue then adds one event-loop turn before the answer, which a form's
    // trigger_id (3 s) can spare: the profile lookup stays capped at PROFILE_WAIT_MS.
    await ack();
    const payload = decodeActionPayload((action as { value?: string }).value);
    if (!payload) return; // a link button: Slack opened the URL, nothing to run
    rt.later(() => pressButton(payload, body as unknown as BlockActionBody));
  });

  /**
   * A button's answer goes through the interaction's response_url: it reaches the channel whether or not the
   * bot is a member (a slash command's answer, and so its buttons, can be in any channel the person is in).
   * Under a message it goes into that message's thread; on an ephemeral message it replaces it in place.
   */
  async function pressButton(payload: ActionPayload, body: BlockActionBody): Promise<void> {
    const fromMessage = body.container?.type === "message";
    const channel = fromMessage ? (body.channel?.id ?? body.container?.channel_id) : undefined;
    const thread = body.message ? (body.message.thread_ts ?? body.message.ts) : undefined;
    const ephemeralSource = Boolean(body.container?.is_ephemeral);
    const to: Destination = {
      userId: body.user.id,
      ...(channel ? { channel } : {}),
      ...(thread && !ephemeralSource ? { thread } : {}),
      ...(body.response_url ? { responseUrl: body.response_url, replaceOriginal: ephemeralSource } : {}),
    };
    // A note to the person alone must not replace the message whose button they pressed.
    const aside: Destination = { ...to, ...(to.responseUrl ? { replaceOriginal: false } : {}) };
    const reach: Reach = {
      userId: body.user.id,
      triggerId: body.trigger_id,
      to,
      aside,
      home: body.container?.type === "view" && body.view?.type === "home",
    };
    try {
      const more = "continuation" in payload;
      // The rest of an answer needs nobody's profile; a command or form may open a modal within 3 s.
      const user: ChatUser = more
        ? { surface: "slack", id: body.user.id }
        : await rt.chatUser(body.user.id, body.user.name, PROFILE_WAIT_MS);
      const conversation = slackConversation(channel, thread);
      const outcome = await core.press(payload, {
        user,
        // A form opened here answers through this button's response_url.
        conversation:
          "form" in payload ? slackConversation(channel, thread, body.response_url) : conversation,
      });
      const text = "command" in payload ? payload.command : "";
      if (more && ephemeralSource && outcome.kind === "reply") {
        // The rest of an answer only the person saw stays theirs, below the part they have.
        await show({ kind: "reply", reply: { ...outcome.reply, ephemeral: true } }, { ...reach, to: aside });
        return;
      }
      await show(outcome, reach, {
        text,
        user,
        conversation: slackConversation(channel, thread, body.response_url),
      });
    } catch (error) {
      await rt.delivery.deliver(aside, core.failure("running a button", error)).catch(() => undefined);
    }
  }

  /** Show what the core answered: a reply (with its form opened as a modal), a form page, or a note. */
  async function show(
    outcome: Outcome,
    reach: Reach,
    origin?: { text: string; user: ChatUser; conversation: Conversation },
  ): Promise<void> {
    switch (outcome.kind) {
      case "page":
        return openModal(rt, reach.triggerId, outcome);
      case "submitted":
        return deliverSubmitted(rt, outcome, reach.userId);
      case "closed":
        return rt.delivery.deliver(reach.aside, outcome.reply);
      case "reply":
        break;
    }
    let answer: Reply = outcome.reply;
    if (answer.form && origin) {
      // The trigger works once and only for 3 s: the modal opens before anything else is sent.
      const step = await core.openForm({ ...answer, form: answer.form }, origin);
      if (step.kind === "page") await openModal(rt, reach.triggerId, step);
      else await rt.delivery.deliver(reach.aside, step.reply);
      const { form: _form, ...rest } = answer;
      answer = rest;
      if (answer.blocks.length === 0) return;
    }
    if (reach.home) return publishHome(rt, reach.userId, answer);
    await rt.delivery.deliver(reach.to, answer);
  }

  app.options({ action_id: /^pick\|/ }, async ({ ack, options: request, body }) => {
    const picker = decodePickerActionId(request.action_id);
    const respondWith = ack as unknown as (body: { options: types.PlainTextOption[] }) => Promise<void>;
    try {
      const user: ChatUser = { surface: "slack", id: body.user.id };
      // In a form's modal the field itself says what it offers (a template's catalogFilter, the person's
      // groups); the action_id's provider and kinds serve pickers outside a form session.
      const meta = decodeMetadata((body as { view?: { private_metadata?: unknown } }).view?.private_metadata);
      const query = request.value ?? "";
      const found = meta
        ? await core.fieldOptions(meta.session, meta.page, request.block_id, query, user)
        : picker
          ? await core.options(picker.provider, query, picker.kinds, user)
          : [];
      await respondWith({
        options: found
          .filter((o) => o.value.length <= SLACK_LIMITS.optionValue)
          .slice(0, SLACK_LIMITS.selectOptions)
          .map((o) => ({
            text: { type: "plain_text" as const, text: clip(o.label || o.value, SLACK_LIMITS.optionText) },
            value: o.value,
            ...(o.description
              ? {
                  description: {
                    type: "plain_text" as const,
                    text: clip(o.description, SLACK_LIMITS.optionText),
                  },
                }
              : {}),
          })),
      });
    } catch (error) {
      log.error({ err: error }, "options lookup failed");
      await respondWith({ options: [] });
    }
  });
}

interface BlockActionBody {
  user: { id: string; name?: string };
  trigger_id: string;
  response_url?: string;
  container?: { type: string; channel_id?: string; is_ephemeral?: boolean; message_ts?: string };
  channel?: { id: string };
  message?: { ts: string; thread_ts?: string };
  view?: { type?: string };
}
