import type { Logger } from "pino";
import { reply, type Reply } from "../../message/reply.ts";
import type { ChatUser, OverheardMessage } from "../../plugins/api.ts";
import type { Inbound, Router } from "./router.ts";
import type { ActionPayload } from "./action-codec.ts";
import type { Continuations } from "./continuations.ts";
import { EXPIRED_CONTINUATION, type Renderer } from "./continuations.ts";
import type { FormSessions } from "./form-sessions.ts";
import { type FormIntent, type FormOrigin, type FormStep } from "./form-sessions.ts";
import type { RawValues } from "./form-values.ts";

/** What a person said, as an adapter understood it (the router's input). */
export type { Inbound };

/** What to show for a button press: an answer, or a form page (or a closed form's note). */
export type Outcome = { kind: "reply"; reply: Reply } | FormStep;

/**
 * The one layer between adapters and everything else. An adapter turns platform input into an Inbound, a
 * pressed button's payload or a submitted form page, asks the core, and renders what comes back; commands,
 * forms, "Show more" and the rest of the behaviour live here once, for every surface.
 */
export class ChatCore {
  constructor(
    readonly router: Router,
    readonly forms: FormSessions,
    readonly continuations: Continuations,
    private readonly log: Logger,
  ) {}

  /** A line typed by a person: a slash command, a mention, a direct message, a shell line. */
  message(inbound: Inbound): Promise<Reply> {
    return this.router.handle(inbound);
  }

  /**
   * A channel message not addressed to Callboard (no mention): an answer for its thread, or, usually, nothing.
   * Adapters pass people's messages only, never a bot's.
   */
  overheard(message: OverheardMessage): Promise<Reply | undefined> {
    return this.router.overheard(message);
  }

  /** A pressed button: run its command, open its form, or fetch the rest of a cut answer. */
  async press(payload: ActionPayload, inbound: Omit<Inbound, "text">): Promise<Outcome> {
    if ("continuation" in payload) {
      const rest = await this.continuations.take(payload.continuation);
      return { kind: "reply", reply: rest ?? { ...reply(EXPIRED_CONTINUATION), ephemeral: true } };
    }
    if ("form" in payload) {
      if (payload.session) return this.forms.current(payload.session);
      const origin: FormOrigin = { text: "", user: inbound.user, conversation: inbound.conversation };
      return this.forms.openRegistered(payload.form, payload.args ?? "", origin);
    }
    return { kind: "reply", reply: await this.router.handle({ ...inbound, text: payload.command }) };
  }

  /** Start a session for the form a reply asked for, where the adapter can show it now. */
  openForm(answer: Reply & { form: NonNullable<Reply["form"]> }, inbound: Inbound): Promise<FormStep> {
    return this.forms.open(answer.form, inbound);
  }

  /**
   * A reply that asks for a form, where the platform cannot open one right now (a mention has no trigger for
   * a Slack modal; a Teams message cannot open a dialog): the form's session starts, and the reply gets a
   * button that opens it.
   */
  async withFormButton(answer: Reply, inbound: Inbound): Promise<Reply> {
    if (!answer.form) return answer;
    const step = await this.forms.open(answer.form, inbound);
    if (step.kind !== "page") return step.reply;
    const { form: _form, ...rest } = answer;
    return {
      ...rest,
      blocks: [
        ...answer.blocks,
        {
          type: "actions",
          actions: [
            {
              label: `Open ${answer.form.title}`,
              form: { id: answer.form.id, session: step.session },
              style: "primary",
            },
          ],
        },
      ],
    };
  }

  /** A form page submitted (Next or Submit), Back, or Cancel. */
  formStep(
    session: string,
    page: number,
    values: RawValues,
    intent: FormIntent,
    user: ChatUser,
  ): Promise<FormStep> {
    return this.forms.step(session, page, values, intent, user);
  }

  /** Render `answer` for a surface, keeping the rest for "Show more" when the renderer has to cut it. */
  fit<T>(answer: Reply, render: Renderer<T>): Promise<T> {
    return this.continuations.fit(answer, render);
  }

  /** Type-ahead choices for a picker (Slack external_select, Teams Data.Query). */
  options(provider: string, query: string, kinds: string[] | undefined, user: ChatUser) {
    return this.router.options(provider, query, kinds ? { kinds } : {}, user);
  }

  /**
   * Type-ahead choices for a field of a form under way: its own options provider (or the one its kind names)
   * with its picker options (a template's catalogFilter, OwnedEntityPicker's person). None for a field that
   * is gone (the session expired).
   */
  async fieldOptions(session: string, page: number, name: string, query: string, user: ChatUser) {
    const field = await this.forms.field(session, page, name);
    if (!field) return [];
    const provider = field.optionsProvider ?? (field.kind === "multiEntity" ? "entity" : field.kind);
    return this.router.options(
      provider,
      query,
      {
        ...(field.entityKinds?.length ? { kinds: field.entityKinds } : {}),
        ...(field.picker ? { picker: field.picker } : {}),
      },
      user,
    );
  }

  /** Quick results for compose-box search (Teams message extension). */
  search(query: string, limit: number, user: ChatUser) {
    return this.router.search(query, limit, user);
  }

  /** A preview for a pasted link, or undefined when it is not one of ours. */
  unfurl(url: URL) {
    return this.router.unfurl(url);
  }

  /** A person's home view (Slack App Home, the Teams welcome). */
  home(user: ChatUser) {
    return this.router.home(user);
  }

  /** The commands people can type, for help, manifests and welcome cards. */
  get commands() {
    return this.router.commands;
  }

  /** The answer a person sees when handling their input failed: a reference, never the error itself. */
  failure(what: string, error: unknown): Reply {
    this.log.error({ err: error }, `${what} failed`);
    return {
      ...reply(`Something went wrong (${what}). It has been logged; try again in a moment.`),
      ephemeral: true,
    };
  }
}
