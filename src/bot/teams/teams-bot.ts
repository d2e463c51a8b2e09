import {
  CardFactory,
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
import type { Form, FormValues, Option } from "../../message/form.ts";
import { actions, header, reply, section, type Reply } from "../../message/reply.ts";
import type { ChatUser, Conversation } from "../../plugins/api.ts";
import type { ConversationStore, EventLedger, FormStateStore } from "../ports.ts";
import type { Inbound, Router } from "../router.ts";
import { answerCardAction, messageWith } from "./card-action-answer.ts";
import { toPlainText } from "./card-markdown.ts";
import { Deadline } from "./deadline.ts";
import { oversizedCommandText } from "../router.ts";
import { loadSession, pageValues, saveSession, type FormSession } from "./form-session.ts";
import {
  clip,
  renderCard,
  renderFormCard,
  renderReplyCard,
  VERB_COMMAND,
  VERB_MORE,
  type AdaptiveCard,
  type FormCardData,
} from "./render-card.ts";
import { MessageExtension } from "./message-extension.ts";
import { Roster } from "./roster.ts";

export interface TeamsBotOptions {
  router: Router;
  ledger: EventLedger;
  conversations: ConversationStore;
  formState: FormStateStore;
  log: Logger;
  /** Add Data.Query typeahead to entity and owner pickers (answered through application/search). */
  typeahead?: boolean;
}

/** Teams wants a message-extension answer within 5 s of sending the request; stop a little before that. */
export const INVOKE_BUDGET_MS = 4000;
/** turnState key of the turn's Deadline, set by the surface from the request's arrival. */
export const TURN_DEADLINE = Symbol("callboard.turnDeadline");
/** How much of the time left a roster lookup may take before the person is answered without their email. */
const ROSTER_SHARE = 0.5;
const PICKER_CHOICES = 100;
/** Commands the welcome card suggests, taken from the router in registration order. */
const WELCOME_SUGGESTIONS = 3;
/** Stands in for the stored reply's id while the card is measured, then is replaced by the real one. */
const MORE_PLACEHOLDER = "@@callboard-more@@";
/** What a call that missed the deadline answers with. */
const LATE = Symbol("late");

/**
 * Callboard in Teams: every activity becomes an Inbound for the router, and every Reply or Form goes back
 * as an Adaptive Card. All Bot Framework types stay in this folder.
 */
export class CallboardTeamsBot extends TeamsActivityHandler {
  private readonly savedReferences = new Map<string, string>();
  private readonly roster: Roster;
  private readonly extension: MessageExtension;

  constructor(private readonly options: TeamsBotOptions) {
    super();
    this.roster = new Roster(options.log);
    this.extension = new MessageExtension({
      router: options.router,
      cardFor: (answer) => this.cardFor(answer),
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

  private async rememberConversation(activity: Activity): Promise<void> {
    const key = activity.conversation?.id;
    if (!key || !activity.serviceUrl) return;
    if (this.savedReferences.get(key) === activity.serviceUrl) return;
    await this.options.conversations.save(key, TurnContext.getConversationReference(activity));
    this.savedReferences.set(key, activity.serviceUrl);
  }

  // ---- messages --------------------------------------------------------------------------------------

  private async answerMessage(context: TurnContext): Promise<void> {
    const activity = context.activity;
    let text = commandText(activity);
    const value = activity.value as { command?: unknown } | undefined;
    if (!text && typeof value?.command === "string") text = value.command;
    const inbound = await this.inbound(context, text);
    const answer = await this.options.router.handle(inbound);
    await this.send(context, answer);
  }

  private async welcome(context: TurnContext): Promise<Reply> {
    const user = await this.chatUser(context);
    const home = await this.options.router.home(user);
    // Only what this router answers: a hard-coded list advertised commands (docs, scaffold) that were not there.
    const suggestions = this.options.router.commands
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

  /** A Reply as a message: the card, plus a short summary for notifications. */
  async activityFor(answer: Reply): Promise<Partial<Activity>> {
    return messageWith(await this.cardFor(answer), answer.text);
  }

  private async send(context: TurnContext, answer: Reply): Promise<void> {
    await context.sendActivity(await this.activityFor(answer));
  }

  /**
   * The card for a Reply; a Reply that asks for a form gets a button that opens it as a dialog. Nothing is
   * written unless the answer is cut: then it is stored once (under `storedId` when it already is) for the
   * "Show more" button.
   */
  async cardFor(answer: Reply, startAt = 0, storedId?: string): Promise<AdaptiveCard> {
    if (answer.form) {
      const session = await saveSession(this.options.formState, { form: answer.form, values: {} });
      // The button's `command` carries the stored session; task/fetch picks it up as `args`.
      return renderCard({
        ...answer,
        blocks: [
          ...answer.blocks,
          actions({
            label: `Open ${toPlainText(answer.form.title)}`,
            form: { id: answer.form.id, args: `session:${session}` },
          }),
        ],
      });
    }
    const { card, continuesAt } = renderReplyCard(answer, {
      startAt,
      more: (next) => ({ label: "Show more", verb: VERB_MORE, data: { more: MORE_PLACEHOLDER, from: next } }),
    });
    if (continuesAt === undefined) return card;
    const id = storedId ?? (await this.options.formState.put(JSON.stringify(answer)));
    return JSON.parse(
      JSON.stringify(card).replaceAll(MORE_PLACEHOLDER, JSON.stringify(id).slice(1, -1)),
    ) as AdaptiveCard;
  }

  // ---- who and where ----------------------------------------------------------------------------------

  private async inbound(context: TurnContext, text: string): Promise<Inbound> {
    const activity = context.activity;
    const conversation: Conversation = {
      surface: "teams",
      channelId: activity.conversation?.id,
      ...(activity.replyToId
        ? { threadId: activity.replyToId }
        : activity.id
          ? { threadId: activity.id }
          : {}),
    };
    return { text, user: await this.chatUser(context), conversation };
  }

  /**
   * The Teams person as a ChatUser. The roster lookup behind it (for the email) may take half of the time the
   * turn has left: the search or form that needs the person still has the other half to answer in.
   */
  async chatUser(context: TurnContext): Promise<ChatUser> {
    return this.roster.chatUser(context, this.deadline(context).share(ROSTER_SHARE));
  }

  /** The turn's one deadline: every outside call on an invoke's answer path races it. */
  private deadline(context: TurnContext): Deadline {
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
    const { verb, data } = invokeValue.action as { verb?: string; data?: Record<string, unknown> };
    let card: AdaptiveCard;
    let summary: string;
    if (verb === VERB_MORE && typeof data?.more === "string") {
      const stored = await this.options.formState.get(data.more);
      const from = typeof data.from === "number" ? data.from : 0;
      const answer = stored
        ? (JSON.parse(stored) as Reply)
        : reply("That answer has expired. Ask again to see it in full.");
      card = stored ? await this.cardFor(answer, from, data.more) : renderCard(answer);
      summary = answer.text;
    } else if (verb === VERB_COMMAND && typeof data?.command === "string") {
      const answer = await this.options.router.handle(await this.inbound(context, data.command));
      card = await this.cardFor(answer);
      summary = answer.text;
    } else {
      return {
        statusCode: 400,
        type: "application/vnd.microsoft.error",
        value: { code: "BadRequest", message: `Unknown card action "${String(verb)}".` } as never,
      };
    }
    return answerCardAction(context, card, summary);
  }

  // ---- dialogs (task modules) -------------------------------------------------------------------------

  protected override async handleTeamsTaskModuleFetch(
    context: TurnContext,
    request: TaskModuleRequest,
  ): Promise<TaskModuleResponse> {
    const deadline = this.deadline(context);
    const data = (request.data ?? {}) as { form?: unknown; args?: unknown; session?: unknown };
    let session: FormSession | undefined;
    let sessionId: string | undefined;
    const args = typeof data.args === "string" ? data.args : "";
    if (args.startsWith("session:")) {
      sessionId = args.slice("session:".length);
      const loaded = await deadline.race(
        loadSession(this.options.formState, sessionId),
        LATE,
        this.lateError,
      );
      if (loaded === LATE) return busyDialog();
      session = loaded;
    } else if (typeof data.form === "string") {
      const inbound = await this.inbound(context, "");
      const form = await deadline.race(
        this.options.router.openForm(data.form, inbound, args),
        LATE,
        this.lateError,
      );
      if (form === LATE) return busyDialog();
      if (form) {
        session = { form, values: {} };
        const saved = await deadline.race(saveSession(this.options.formState, session), LATE, this.lateError);
        if (saved === LATE) return busyDialog();
        sessionId = saved;
      }
    }
    if (!session || !sessionId) {
      return {
        task: { type: "message", value: "That form is no longer available. Start it again from a command." },
      };
    }
    return this.formDialog(context, session, sessionId, 0, {});
  }

  protected override async handleTeamsTaskModuleSubmit(
    context: TurnContext,
    request: TaskModuleRequest,
  ): Promise<TaskModuleResponse> {
    const data = (request.data ?? {}) as Partial<FormCardData> & Record<string, unknown>;
    const session = await loadSession(this.options.formState, data.session);
    if (!session || typeof data.session !== "string") {
      return { task: { type: "message", value: "This form has expired. Start it again from a command." } };
    }
    const { form } = session;
    const pageIndex = clampPage(form, data.page);
    const page = form.pages[pageIndex]!;
    const entered = pageValues(page.fields, data);
    const values: FormValues = { ...dropFields(session.values, page.fields), ...entered };
    if (data.formAction === "back") {
      const id = await saveSession(this.options.formState, { form, values });
      return this.formDialog(context, { form, values }, id, Math.max(0, pageIndex - 1), {});
    }
    const errors = await this.options.router.validateForm(form, pageIndex, entered);
    if (Object.keys(errors).length > 0) {
      return this.formDialog(context, { form, values }, data.session, pageIndex, errors);
    }
    if (pageIndex < form.pages.length - 1) {
      const id = await saveSession(this.options.formState, { form, values });
      return this.formDialog(context, { form, values }, id, pageIndex + 1, {});
    }
    // A double click or a retried submit must not run the form twice; one whose answer could not be
    // delivered may be submitted again.
    const claim = await this.options.ledger.claim("teams-form", data.session);
    if (!claim) return { task: { type: "message", value: "This form was already submitted." } };
    try {
      const result = await this.options.router.submitForm(form, values, await this.inbound(context, ""));
      await this.send(context, result);
    } catch (error) {
      await claim.release().catch((e: unknown) => this.options.log.warn({ err: e }, "teams: release failed"));
      throw error;
    }
    await claim.done();
    return undefined as unknown as TaskModuleResponse; // an empty answer closes the dialog
  }

  private async formDialog(
    context: TurnContext,
    session: FormSession,
    sessionId: string,
    pageIndex: number,
    errors: Record<string, string>,
  ): Promise<TaskModuleResponse> {
    const card = renderFormCard(session.form, {
      pageIndex,
      session: sessionId,
      values: session.values,
      errors,
      pickerChoices: await this.pickerChoices(context, session.form, pageIndex),
      typeahead: this.options.typeahead === true,
    });
    return {
      task: {
        type: "continue",
        value: {
          title: clip(toPlainText(session.form.title), 60),
          height: "large",
          width: "medium",
          card: CardFactory.adaptiveCard(card),
        },
      },
    };
  }

  private async pickerChoices(
    context: TurnContext,
    form: Form,
    pageIndex: number,
  ): Promise<Record<string, Option[]>> {
    const choices: Record<string, Option[]> = {};
    const pickers = form.pages[pageIndex]!.fields.filter((f) => f.kind === "entity" || f.kind === "owner");
    if (pickers.length === 0) return choices;
    const deadline = this.deadline(context);
    const user = await this.chatUser(context);
    // A picker whose choices come too late opens empty (with typeahead, it still searches as one types).
    const lists = await Promise.all(
      pickers.map((field) =>
        deadline.race(
          this.options.router.options(field.kind, "", field.entityKinds, user),
          [] as Option[],
          this.lateError,
        ),
      ),
    );
    pickers.forEach((field, i) => (choices[field.name] = lists[i]!.slice(0, PICKER_CHOICES)));
    return choices;
  }

  /** Typeahead for Data.Query pickers. */
  protected override async onSearchInvoke(
    context: TurnContext,
    invokeValue: SearchInvokeValue,
  ): Promise<SearchInvokeResponse> {
    const deadline = this.deadline(context);
    const user = await this.chatUser(context);
    const dataset = invokeValue.dataset || "entity";
    const options = await deadline.race(
      this.options.router.options(dataset, invokeValue.queryText ?? "", undefined, user),
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

/**
 * The text with every mention of this bot removed, wherever it appears ("<at>Callboard</at> who owns x",
 * "who owns x <at>Callboard</at>?"). Mentions of other people stay as their plain names. Teams sends
 * `&nbsp;` and line breaks around mentions; those become single spaces.
 */
export function commandText(activity: Partial<Activity>): string {
  let text = activity.text ?? "";
  const oversized = oversizedCommandText(text);
  if (oversized !== undefined) return oversized;
  const botId = activity.recipient?.id;
  // Each mention is a pass over the text, so only the first few (the bot's own first) are; the <at> tags of
  // any others are stripped below in one pass.
  const mentions = TurnContext.getMentions(activity);
  mentions.sort((a, b) => Number(b.mentioned?.id === botId) - Number(a.mentioned?.id === botId));
  for (const mention of mentions.slice(0, MAX_MENTIONS)) {
    const shown = mention.text ?? "";
    if (!shown) continue;
    if (mention.mentioned?.id === botId) text = text.split(shown).join(" ");
    else text = text.split(shown).join(shown.replace(/<\/?at>/g, ""));
  }
  return text
    .replace(/&nbsp;/gi, " ")
    .replace(/<at>[^<]*<\/at>/gi, (m) => m.replace(/<\/?at>/gi, ""))
    .replace(/\s+/g, " ")
    .trim();
}

/** Mentions in one command whose text is rewritten one by one (a command mentions the bot and a person or two). */
const MAX_MENTIONS = 10;

function clampPage(form: Form, page: unknown): number {
  const n = typeof page === "number" ? page : Number(page);
  return Number.isInteger(n) && n >= 0 && n < form.pages.length ? n : 0;
}

function dropFields(values: FormValues, fields: { name: string }[]): FormValues {
  const copy = { ...values };
  for (const f of fields) delete copy[f.name];
  return copy;
}

function busyDialog(): TaskModuleResponse {
  return { task: { type: "message", value: "Callboard is taking too long to open this form. Try again." } };
}
