import {
  TeamsActivityHandler,
  TurnContext,
  type Activity,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type AppBasedLinkQuery,
  type MessagingExtensionQuery,
  type MessagingExtensionResponse,
  type SearchInvokeResponse,
  type SearchInvokeValue,
  type TaskModuleRequest,
  type TaskModuleResponse,
} from "botbuilder";
import type { Logger } from "pino";
import type { Option } from "../../message/form.ts";
import { actions, header, section, type Reply } from "../../message/reply.ts";
import type { ChatUser } from "../../plugins/api.ts";
import type { Address, MessageRef } from "../../plugins/outbox.ts";
import type { ConversationStore, EventLedger } from "../../state/ports.ts";
import type { ChatCore, Inbound, Outcome } from "../core/chat-core.ts";
import { activityFor, answerCardAction, cardFor } from "./card-action-answer.ts";
import { toPlainText } from "./card-markdown.ts";
import { Deadline } from "./deadline.ts";
import { FormDialogs } from "./form-dialog.ts";
import { MessageExtension } from "./message-extension.ts";
import { Roster } from "./roster.ts";
import { decodeFieldDataset } from "./render-form.ts";
import { addressOf, baseConversationId } from "./teams-address.ts";
import { cardPayload, commandText, conversationOf } from "./teams-inbound.ts";

export interface TeamsBotOptions {
  core: ChatCore;
  ledger: EventLedger;
  conversations: ConversationStore;
  log: Logger;
  /** Add Data.Query typeahead to entity and owner pickers (answered through application/search). */
  typeahead?: boolean;
  /** The outbox's post: a form's result goes to the conversation the form was opened in. */
  post(address: Address, reply: Reply): Promise<MessageRef>;
}

/** Teams wants a message-extension answer within 5 s of sending the request; stop a little before that. */
export const INVOKE_BUDGET_MS = 4000;
/** turnState key of the turn's Deadline, set by the adapter from the request's arrival. */
export const TURN_DEADLINE = Symbol("callboard.turnDeadline");
/** How much of the time left a roster lookup may take before the person is answered without their email. */
const ROSTER_SHARE = 0.5;
/** Commands the welcome card suggests, taken from the core in registration order. */
const WELCOME_SUGGESTIONS = 3;

/**
 * Callboard in Teams: every activity becomes the chat core's input (a typed line, a pressed button, a form
 * page), and every answer goes back as an Adaptive Card. Behaviour is the core's; this keeps Teams' rules
 * (retries, deadlines, where a button's answer goes). All Bot Framework types stay in this folder.
 */
export class CallboardTeamsBot extends TeamsActivityHandler {
  private readonly savedReferences = new Map<string, string>();
  private readonly roster: Roster;
  private readonly extension: MessageExtension;
  private readonly dialogs: FormDialogs;

  constructor(private readonly options: TeamsBotOptions) {
    super();
    this.roster = new Roster(options.log);
    this.extension = new MessageExtension({
      core: options.core,
      cardFor: (answer) => cardFor(options.core, answer),
      onLateError: this.lateError,
    });
    this.dialogs = new FormDialogs({
      core: options.core,
      turn: this,
      log: options.log,
      typeahead: options.typeahead === true,
      post: options.post,
      onLateError: this.lateError,
    });
    this.onMessage(async (context, next) => {
      await this.answerMessage(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      const botAdded = (context.activity.membersAdded ?? []).some(
        (m) => m.id === context.activity.recipient.id,
      );
      if (botAdded) await this.send(context, await this.welcome(context));
      await next();
    });
  }

  /**
   * Every turn: drop retries, remember where the conversation is for proactive messages. A turn's answers are
   * sent within the turn, so the turn finishing means they were delivered: only then is the activity done. A
   * turn that throws (the Bot Connector refused the answer, say) releases it, the adapter answers 500, and the
   * activity Teams sends again is answered.
   */
  override async run(context: TurnContext): Promise<void> {
    const activity = context.activity;
    // Invokes are request/response: a retried invoke means the first answer was lost, so it is answered again.
    if (activity.type === "invoke" || !activity.id) {
      await this.rememberConversation(activity);
      await super.run(context);
      return;
    }
    // Teams activity ids are timestamps, unique only within a conversation: two chats posting in the same
    // millisecond must not look like a retry of each other.
    const key = `${activity.conversation?.id ?? ""}|${activity.id}`;
    const claim = await this.options.ledger.claim("teams", key);
    if (!claim) {
      this.options.log.debug(
        { activityId: activity.id },
        "teams: activity already answered or being answered",
      );
      return;
    }
    try {
      await this.rememberConversation(activity);
      await super.run(context);
    } catch (error) {
      await claim.release().catch((e: unknown) => this.options.log.warn({ err: e }, "teams: release failed"));
      throw error;
    }
    await claim.done();
  }

  /** One stored reference per conversation (a channel's, for all its reply chains): the outbox's addresses. */
  private async rememberConversation(activity: Activity): Promise<void> {
    const id = activity.conversation?.id;
    if (!id || !activity.serviceUrl) return;
    const key = baseConversationId(id);
    if (this.savedReferences.get(key) === activity.serviceUrl) return;
    const reference = TurnContext.getConversationReference(activity);
    await this.options.conversations.save(key, {
      ...reference,
      conversation: { ...reference.conversation, id: key },
    });
    this.savedReferences.set(key, activity.serviceUrl);
  }

  // ---- messages --------------------------------------------------------------------------------------

  private async answerMessage(context: TurnContext): Promise<void> {
    const activity = context.activity;
    if (isOverheard(activity)) {
      await this.answerOverheard(context);
      return;
    }
    let text = commandText(activity);
    const pressed = text ? undefined : cardPayload(activity.value);
    if (pressed && "command" in pressed) text = pressed.command;
    const inbound = await this.inbound(context, text);
    await this.send(context, await this.options.core.message(inbound), inbound);
  }

  /**
   * A person's message in a channel or group chat that does not mention the bot (Teams delivers those only with
   * the resource-specific consent in the manifest): the core's listeners may answer it in its reply chain.
   */
  private async answerOverheard(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const address = addressOf(activity);
    // A channel's thread is its reply chain; a group chat has none, so each message stands alone.
    const threadId = address?.replyChain ?? activity.id;
    if (!address || !threadId) return;
    const inbound = await this.inbound(context, commandText(activity));
    const channelId = address.conversation;
    const answer = await this.options.core.overheard({
      ...inbound,
      conversation: { ...inbound.conversation, channelId, threadId },
    });
    if (answer) await this.send(context, answer);
  }

  private async welcome(context: TurnContext): Promise<Reply> {
    const { core } = this.options;
    const user = await this.chatUser(context);
    const home = await core.home(user);
    // Only what the core answers: a hard-coded list advertised commands (docs, scaffold) that were not there.
    const suggestions = core.commands
      .filter((c) => c.name !== "help")
      .slice(0, WELCOME_SUGGESTIONS)
      .map((c) => `\`${c.examples?.[0] ?? c.usage}\``);
    const tryThese = suggestions.length > 0 ? ` Try ${suggestions.join(", ")}.` : "";
    return {
      text: `Hi, I'm Callboard. ${home.text}`,
      blocks: [
        header("Hi, I'm Callboard"),
        section(
          `I answer questions about the software catalog.${tryThese} In a channel, mention me first, and \`help\` lists everything I can do.`,
        ),
        ...home.blocks.filter((b) => b.type !== "header"),
        actions({ label: "What can you do?", command: "help" }),
      ],
    };
  }

  /** Send an answer in the turn's conversation; one that asks for a form gets a button that opens it. */
  private async send(context: TurnContext, answer: Reply, inbound?: Inbound): Promise<void> {
    const shown = answer.form && inbound ? await this.options.core.withFormButton(answer, inbound) : answer;
    await context.sendActivity(await activityFor(this.options.core, shown));
  }

  // ---- who and where ----------------------------------------------------------------------------------

  async inbound(context: TurnContext, text: string): Promise<Inbound> {
    return { text, user: await this.chatUser(context), conversation: conversationOf(context.activity) };
  }

  /**
   * The Teams person as a ChatUser. The roster lookup behind it (for the email) may take half of the time the
   * turn has left: the search or form that needs the person still has the other half to answer in.
   */
  async chatUser(context: TurnContext): Promise<ChatUser> {
    return this.roster.chatUser(context, this.deadline(context).share(ROSTER_SHARE));
  }

  /** The turn's one deadline: every outside call on an invoke's answer path races it. */
  deadline(context: TurnContext): Deadline {
    let deadline = context.turnState.get(TURN_DEADLINE) as Deadline | undefined;
    if (!deadline) {
      deadline = Deadline.after(INVOKE_BUDGET_MS);
      context.turnState.set(TURN_DEADLINE, deadline);
    }
    return deadline;
  }

  private readonly lateError = (error: unknown): void => {
    this.options.log.warn({ err: error }, "teams: a call that missed the invoke's deadline failed later");
  };

  // ---- Action.Execute ---------------------------------------------------------------------------------

  protected override async onAdaptiveCardInvoke(
    context: TurnContext,
    invokeValue: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    const { verb, data } = invokeValue.action as { verb?: string; data?: unknown };
    const payload = cardPayload(data);
    if (!payload) {
      return {
        statusCode: 400,
        type: "application/vnd.microsoft.error",
        value: { code: "BadRequest", message: `Unknown card action "${String(verb)}".` } as never,
      };
    }
    const inbound = await this.inbound(context, "");
    const answer = await this.shown(await this.options.core.press(payload, inbound), inbound);
    return answerCardAction(context, await cardFor(this.options.core, answer), answer.text);
  }

  /** A pressed button's outcome as a card's Reply: a form page cannot show in a card, so it gets a button. */
  private async shown(outcome: Outcome, inbound: Inbound): Promise<Reply> {
    if (outcome.kind === "reply") {
      return outcome.reply.form ? this.options.core.withFormButton(outcome.reply, inbound) : outcome.reply;
    }
    if (outcome.kind !== "page") return outcome.reply;
    const title = toPlainText(outcome.form.title);
    return {
      text: title,
      blocks: [
        actions({
          label: `Open ${title}`,
          form: { id: outcome.form.id, session: outcome.session },
          style: "primary",
        }),
      ],
    };
  }

  // ---- dialogs (task modules) -------------------------------------------------------------------------

  protected override handleTeamsTaskModuleFetch(
    context: TurnContext,
    request: TaskModuleRequest,
  ): Promise<TaskModuleResponse> {
    return this.dialogs.fetch(context, request);
  }

  protected override handleTeamsTaskModuleSubmit(
    context: TurnContext,
    request: TaskModuleRequest,
  ): Promise<TaskModuleResponse> {
    return this.dialogs.submit(context, request);
  }

  /** Typeahead for Data.Query pickers. */
  protected override async onSearchInvoke(
    context: TurnContext,
    invokeValue: SearchInvokeValue,
  ): Promise<SearchInvokeResponse> {
    const deadline = this.deadline(context);
    const user = await this.chatUser(context);
    const dataset = invokeValue.dataset || "entity";
    const field = decodeFieldDataset(dataset);
    const query = invokeValue.queryText ?? "";
    const options = await deadline.race(
      field
        ? this.options.core.fieldOptions(field.session, field.page, field.name, query, user)
        : this.options.core.options(dataset, query, undefined, user),
      [] as Option[],
      this.lateError,
    );
    const count = invokeValue.queryOptions?.top ?? 15;
    return {
      statusCode: 200,
      type: "application/vnd.microsoft.search.searchResponse",
      value: { results: options.slice(0, count).map((o) => ({ title: o.label, value: o.value })) },
    } as SearchInvokeResponse;
  }

  // ---- message extension ------------------------------------------------------------------------------

  protected override async handleTeamsMessagingExtensionQuery(
    context: TurnContext,
    query: MessagingExtensionQuery,
  ): Promise<MessagingExtensionResponse> {
    return this.extension.query(query, this.deadline(context), () => this.chatUser(context));
  }

  protected override async handleTeamsAppBasedLinkQuery(
    context: TurnContext,
    query: AppBasedLinkQuery,
  ): Promise<MessagingExtensionResponse> {
    return this.extension.linkPreview(query, this.deadline(context));
  }
}

/** A person's message in a shared conversation that is not addressed to the bot (no mention, no card press). */
function isOverheard(activity: Activity): boolean {
  const type = activity.conversation?.conversationType;
  if (type !== "channel" && type !== "groupChat") return false;
  if (activity.from?.role === "bot" || activity.value !== undefined || !activity.text) return false;
  const botId = activity.recipient?.id;
  return !(activity.entities ?? []).some(
    (entity) =>
      entity.type === "mention" && (entity as { mentioned?: { id?: string } }).mentioned?.id === botId,
  );
}
