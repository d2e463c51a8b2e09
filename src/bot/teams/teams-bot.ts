import {
  CardFactory,
  TeamsActivityHandler,
  TeamsInfo,
  TurnContext,
  type Activity,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type AppBasedLinkQuery,
  type Attachment,
  type MessagingExtensionAttachment,
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
import type { ChatUser, Conversation, SearchHit } from "../../plugins/api.ts";
import type { ConversationStore, EventLedger, FormStateStore } from "../ports.ts";
import type { Inbound, Router } from "../router.ts";
import { toPlainText } from "./card-markdown.ts";
import { oversizedCommandText } from "../router.ts";
import { loadSession, pageValues, saveSession, type FormSession } from "./form-session.ts";
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  renderCard,
  renderFormCard,
  VERB_COMMAND,
  VERB_MORE,
  type AdaptiveCard,
  type FormCardData,
} from "./render-card.ts";

export interface TeamsBotOptions {
  router: Router;
  ledger: EventLedger;
  conversations: ConversationStore;
  formState: FormStateStore;
  log: Logger;
  /** Add Data.Query typeahead to entity and owner pickers (answered through application/search). */
  typeahead?: boolean;
}

/** Teams wants a message-extension answer within 5 s; stop waiting a little before that. */
const QUERY_BUDGET_MS = 4000;
const MAX_QUERY_RESULTS = 25;
const PICKER_CHOICES = 100;
const MEMBER_CACHE_TTL_MS = 60 * 60 * 1000;
const MEMBER_CACHE_MAX = 20_000;
/** Stands in for the stored reply's id while the card is measured, then is replaced by the real one. */
const MORE_PLACEHOLDER = "@@callboard-more@@";

/**
 * Callboard in Teams: every activity becomes an Inbound for the router, and every Reply or Form goes back
 * as an Adaptive Card. All Bot Framework types stay in this folder.
 */
export class CallboardTeamsBot extends TeamsActivityHandler {
  private readonly members = new Map<string, { at: number; email?: string; name?: string }>();
  private readonly savedReferences = new Map<string, string>();

  constructor(private readonly options: TeamsBotOptions) {
    super();
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

  /** Every turn: drop retries, remember where the conversation is for proactive messages. */
  override async run(context: TurnContext): Promise<void> {
    const activity = context.activity;
    // Invokes are request/response: a retried invoke means the first answer was lost, so it is answered again.
    if (activity.type !== "invoke" && activity.id) {
      // Teams activity ids are timestamps, unique only within a conversation: two chats posting in the
      // same millisecond must not look like a retry of each other.
      const key = `${activity.conversation?.id ?? ""}|${activity.id}`;
      if (!(await this.options.ledger.firstSeen("teams", key))) {
        this.options.log.debug({ activityId: activity.id }, "teams: duplicate activity ignored");
        return;
      }
    }
    await this.rememberConversation(activity);
    await super.run(context);
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
    return {
      text: `Hi, I'm Callboard. ${home.text}`,
      blocks: [
        header("Hi, I'm Callboard"),
        section(
          "I answer questions about the software catalog: `who owns payments-api`, `deps payments-api`, `docs rotate secrets`. In a channel, mention me first.",
        ),
        ...home.blocks.filter((b) => b.type !== "header"),
        actions({ label: "What can you do?", command: "help" }),
      ],
    };
  }

  /** A Reply as a message: the card, plus a short summary for notifications. */
  async activityFor(answer: Reply): Promise<Partial<Activity>> {
    const card = await this.cardFor(answer);
    return {
      type: "message",
      summary: clipText(toPlainText(answer.text), 200),
      attachments: [CardFactory.adaptiveCard(card)],
    };
  }

  private async send(context: TurnContext, answer: Reply): Promise<void> {
    await context.sendActivity(await this.activityFor(answer));
  }

  /** The card for a Reply; a Reply that asks for a form gets a button that opens it as a dialog. */
  async cardFor(answer: Reply, startAt = 0): Promise<AdaptiveCard> {
    if (answer.form) {
      const session = await saveSession(this.options.formState, { form: answer.form, values: {} });
      // The button's `command` carries the stored session; task/fetch picks it up as `args`.
      return renderCard({
        ...answer,
        blocks: [
          ...answer.blocks,
          actions({
            label: `Open ${toPlainText(answer.form.title)}`,
            form: answer.form.id,
            command: `session:${session}`,
          }),
        ],
      });
    }
    let truncated = false;
    const card = renderCard(answer, {
      startAt,
      more: (next) => {
        truncated = true;
        return { label: "Show more", verb: VERB_MORE, data: { more: MORE_PLACEHOLDER, from: next } };
      },
    });
    if (!truncated) return card;
    const id = await this.options.formState.put(JSON.stringify(answer));
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
   * The Teams person as a ChatUser: the AAD object id is the stable id the catalog can map
   * (graph.microsoft.com/user-id), and the roster adds the email (microsoft.com/email). Roster lookups are
   * cached: they are throttled at 14 a second per conversation.
   */
  async chatUser(context: TurnContext): Promise<ChatUser> {
    const from = context.activity.from ?? { id: "unknown", name: "" };
    const id = from.aadObjectId ?? from.id;
    const cached = this.members.get(from.id);
    let member = cached && Date.now() - cached.at < MEMBER_CACHE_TTL_MS ? cached : undefined;
    if (!member && context.activity.channelId === "msteams" && context.activity.conversation?.id) {
      try {
        const account = await TeamsInfo.getMember(context, from.id);
        member = { at: Date.now(), email: account.email ?? account.userPrincipalName, name: account.name };
      } catch (error) {
        this.options.log.debug({ err: error }, "teams: roster lookup failed; continuing without email");
        member = { at: Date.now() };
      }
      if (this.members.size >= MEMBER_CACHE_MAX) this.members.clear();
      this.members.set(from.id, member);
    }
    const name = member?.name ?? from.name;
    return {
      surface: "teams",
      id,
      ...(name ? { name } : {}),
      ...(member?.email ? { email: member.email } : {}),
    };
  }

  // ---- Action.Execute ---------------------------------------------------------------------------------

  protected override async onAdaptiveCardInvoke(
    context: TurnContext,
    invokeValue: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    const { verb, data } = invokeValue.action as { verb?: string; data?: Record<string, unknown> };
    let card: AdaptiveCard;
    if (verb === VERB_MORE && typeof data?.more === "string") {
      const stored = await this.options.formState.get(data.more);
      const from = typeof data.from === "number" ? data.from : 0;
      card = stored
        ? await this.cardFor(JSON.parse(stored) as Reply, from)
        : renderCard(reply("That answer has expired. Ask again to see it in full."));
    } else if (verb === VERB_COMMAND && typeof data?.command === "string") {
      const answer = await this.options.router.handle(await this.inbound(context, data.command));
      card = await this.cardFor(answer);
    } else {
      return {
        statusCode: 400,
        type: "application/vnd.microsoft.error",
        value: { code: "BadRequest", message: `Unknown card action "${String(verb)}".` } as never,
      };
    }
    // The returned card replaces the one that was pressed, in place.
    return { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: card as never };
  }

  // ---- dialogs (task modules) -------------------------------------------------------------------------

  protected override async handleTeamsTaskModuleFetch(
    context: TurnContext,
    request: TaskModuleRequest,
  ): Promise<TaskModuleResponse> {
    const data = (request.data ?? {}) as { form?: unknown; args?: unknown; session?: unknown };
    let session: FormSession | undefined;
    let sessionId: string | undefined;
    const args = typeof data.args === "string" ? data.args : "";
    if (args.startsWith("session:")) {
      sessionId = args.slice("session:".length);
      session = await loadSession(this.options.formState, sessionId);
    } else if (typeof data.form === "string") {
      const form = await this.options.router.openForm(data.form, await this.inbound(context, ""), args);
      if (form) {
        session = { form, values: {} };
        sessionId = await saveSession(this.options.formState, session);
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
    // A double click or a retried submit must not run the form twice.
    if (!(await this.options.ledger.firstSeen("teams-form", data.session))) {
      return { task: { type: "message", value: "This form was already submitted." } };
    }
    const result = await this.options.router.submitForm(form, values, await this.inbound(context, ""));
    await this.send(context, result);
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
          title: clipText(toPlainText(session.form.title), 60),
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
    const user = await this.chatUser(context);
    for (const field of pickers) {
      const options = await this.options.router.options(field.kind, "", field.entityKinds, user);
      choices[field.name] = options.slice(0, PICKER_CHOICES);
    }
    return choices;
  }

  /** Typeahead for Data.Query pickers. */
  protected override async onSearchInvoke(
    context: TurnContext,
    invokeValue: SearchInvokeValue,
  ): Promise<SearchInvokeResponse> {
    const user = await this.chatUser(context);
    const dataset = invokeValue.dataset || "entity";
    const options = await this.options.router.options(dataset, invokeValue.queryText ?? "", undefined, user);
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
    const parameter = (query.parameters ?? []).find((p) => p.name !== "initialRun");
    const text = typeof parameter?.value === "string" ? parameter.value.trim() : "";
    const skip = Math.max(0, query.queryOptions?.skip ?? 0);
    const count = Math.min(MAX_QUERY_RESULTS, Math.max(1, query.queryOptions?.count ?? 10));
    const user = await this.chatUser(context);
    const hits = text
      ? await withinBudget(
          this.options.router.search(text, skip + count, user),
          QUERY_BUDGET_MS,
          [] as SearchHit[],
        )
      : [];
    const attachments: MessagingExtensionAttachment[] = [];
    for (const hit of hits.slice(skip, skip + count)) attachments.push(await this.hitAttachment(hit));
    return { composeExtension: { type: "result", attachmentLayout: "list", attachments } };
  }

  private async hitAttachment(hit: SearchHit): Promise<MessagingExtensionAttachment> {
    const buttons = [
      ...(hit.command ? [{ label: "Show", command: hit.command }] : []),
      ...(hit.url ? [{ label: "Open", url: hit.url }] : []),
    ];
    const answer = reply(
      hit.title,
      header(hit.title),
      ...(hit.subtitle || hit.text ? [section([hit.subtitle, hit.text].filter(Boolean).join("\n"))] : []),
      ...(buttons.length ? [actions(...buttons)] : []),
    );
    return this.previewAttachment(await this.cardFor(answer), hit.title, hit.subtitle ?? hit.text ?? "");
  }

  private previewAttachment(card: AdaptiveCard, title: string, text: string): MessagingExtensionAttachment {
    const attachment = CardFactory.adaptiveCard(card) as Attachment;
    const preview = CardFactory.thumbnailCard(
      clipText(toPlainText(title), 120),
      clipText(toPlainText(text), 200),
    );
    return { ...attachment, preview };
  }

  protected override async handleTeamsAppBasedLinkQuery(
    _context: TurnContext,
    query: AppBasedLinkQuery,
  ): Promise<MessagingExtensionResponse> {
    let url: URL | undefined;
    try {
      url = query.url ? new URL(query.url) : undefined;
    } catch {
      url = undefined;
    }
    const preview = url
      ? await withinBudget(this.options.router.unfurl(url), QUERY_BUDGET_MS, undefined)
      : undefined;
    if (!preview) return { composeExtension: { type: "result", attachmentLayout: "list", attachments: [] } };
    const first = preview.blocks.find((b) => b.type === "header");
    const title = first && first.type === "header" ? first.text : preview.text;
    return {
      composeExtension: {
        type: "result",
        attachmentLayout: "list",
        attachments: [this.previewAttachment(await this.cardFor(preview), title, preview.text)],
      },
    };
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

function clipText(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

async function withinBudget<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
