import { CardFactory, type TaskModuleRequest, type TaskModuleResponse, type TurnContext } from "botbuilder";
import type { Logger } from "pino";
import type { Form, Option } from "../../message/form.ts";
import { actions, reply, type Reply } from "../../message/reply.ts";
import type { ChatUser } from "../../plugins/api.ts";
import type { Address, MessageRef } from "../../plugins/outbox.ts";
import type { ChatCore, Inbound, Outcome } from "../core/chat-core.ts";
import type { FormStep } from "../core/form-sessions.ts";
import { toPlainText } from "./card-markdown.ts";
import type { Deadline } from "./deadline.ts";
import { clip } from "./render-card.ts";
import { readFormSubmit, renderFormCard } from "./render-form.ts";
import { TEAMS } from "./teams-address.ts";
import { cardPayload, conversationOf } from "./teams-inbound.ts";

const PICKER_CHOICES = 100;
/** What a call that missed the deadline answers with. */
const LATE = Symbol("late");

/** What a dialog needs from the turn it answers. */
export interface TurnFacts {
  inbound(context: TurnContext, text: string): Promise<Inbound>;
  chatUser(context: TurnContext): Promise<ChatUser>;
  deadline(context: TurnContext): Deadline;
}

export interface FormDialogDeps {
  core: ChatCore;
  turn: TurnFacts;
  log: Logger;
  typeahead: boolean;
  /** Post into the conversation a form was opened in (the outbox). */
  post(address: Address, reply: Reply): Promise<MessageRef>;
  /** A call that missed the deadline and failed afterwards. */
  onLateError(error: unknown): void;
}

/**
 * Forms as Teams dialogs (task modules). The chat core's form session keeps the form, the page and the values;
 * a dialog shows one page, and each task/submit is that page's values and which button was pressed.
 * task/fetch opens a form (a registered one, or the session a message's button started).
 */
export class FormDialogs {
  constructor(private readonly deps: FormDialogDeps) {}

  async fetch(context: TurnContext, request: TaskModuleRequest): Promise<TaskModuleResponse> {
    const { core, turn } = this.deps;
    const payload = cardPayload(request.data);
    if (!payload || !("form" in payload)) {
      return message("That button no longer opens a form. Run the command again.");
    }
    const inbound = await turn.inbound(context, "");
    const outcome = await turn
      .deadline(context)
      .race(core.press(payload, inbound), LATE, this.deps.onLateError);
    if (outcome === LATE) return message("Callboard is taking too long to open this form. Try again.");
    return this.show(context, outcome);
  }

  async submit(context: TurnContext, request: TaskModuleRequest): Promise<TaskModuleResponse> {
    const submitted = readFormSubmit(request.data);
    if (!submitted) return message("This form has expired. Start it again from a command.");
    const { session, page, raw, intent } = submitted;
    const user = await this.deps.turn.chatUser(context);
    const stepping = this.deps.core.formStep(session, page, raw, intent, user);
    // Teams drops an invoke answered late: a slow check or submit closes the dialog with a note, and what it
    // comes to is posted in the conversation when it is done (a late failure is handled there, not here).
    const step = await this.deps.turn.deadline(context).race(stepping, LATE);
    if (step === LATE) {
      const { address } = conversationOf(context.activity);
      stepping.then(
        (late) => this.settleLate(late, address),
        (error: unknown) => this.settleLate(failed(error, this.deps.core), address),
      );
      return message(
        "This is taking a while: the result will be posted in the conversation when it is done.",
      );
    }
    if (step.kind === "submitted") return this.deliver(step);
    return this.show(context, step);
  }

  /** A step that came after the dialog was answered, said in the conversation the dialog was opened from. */
  private async settleLate(step: FormStep, address: Address | undefined): Promise<void> {
    if (step.kind === "submitted") {
      await this.deliver(step);
      return;
    }
    const note =
      step.kind === "closed"
        ? step.reply
        : reply(
            `${step.form.title}: checking that page took too long, so the dialog was closed. Open it again to go on.`,
            actions({ label: `Open ${step.form.title}`, form: { id: step.form.id, session: step.session } }),
          );
    try {
      if (address?.adapter !== TEAMS) throw new Error("the form was not opened in a Teams conversation");
      await this.deps.post(address, note);
    } catch (error) {
      this.deps.log.error({ err: error }, "teams: a late form step could not be posted");
    }
  }

  private async show(context: TurnContext, outcome: Outcome): Promise<TaskModuleResponse> {
    if (outcome.kind !== "page") return message(outcome.reply.text);
    const card = renderFormCard(outcome.form, {
      pageIndex: outcome.page,
      session: outcome.session,
      values: outcome.values,
      errors: outcome.errors,
      pickerChoices: await this.pickerChoices(context, outcome.session, outcome.form, outcome.page),
      typeahead: this.deps.typeahead,
    });
    return {
      task: {
        type: "continue",
        value: {
          title: clip(toPlainText(outcome.form.title), 60),
          height: "large",
          width: "medium",
          card: CardFactory.adaptiveCard(card),
        },
      },
    };
  }

  /**
   * The form's result goes to the conversation it was opened in, and the dialog closes. The form has run by
   * now (and cannot run twice), so a result Teams refused to post is shown in the dialog instead of lost.
   */
  private async deliver(step: Extract<FormStep, { kind: "submitted" }>): Promise<TaskModuleResponse> {
    const address = step.origin.conversation.address;
    try {
      if (address?.adapter !== TEAMS) throw new Error("the form was not opened in a Teams conversation");
      await this.deps.post(address, step.reply);
    } catch (error) {
      this.deps.log.error({ err: error }, "teams: a form's result could not be posted");
      return message(`Done, but the result could not be posted in the conversation: ${step.reply.text}`);
    }
    return undefined as unknown as TaskModuleResponse; // an empty answer closes the dialog
  }

  private async pickerChoices(
    context: TurnContext,
    session: string,
    form: Form,
    pageIndex: number,
  ): Promise<Record<string, Option[]>> {
    const choices: Record<string, Option[]> = {};
    const pickers = form.pages[pageIndex]!.fields.filter(
      (f) => f.kind === "entity" || f.kind === "owner" || f.kind === "multiEntity",
    );
    if (pickers.length === 0) return choices;
    const deadline = this.deps.turn.deadline(context);
    const user = await this.deps.turn.chatUser(context);
    // A picker whose choices come too late opens empty (with typeahead, it still searches as one types).
    const lists = await Promise.all(
      pickers.map((field) =>
        deadline.race(
          this.deps.core.fieldOptions(session, pageIndex, field.name, "", user),
          [] as Option[],
          this.deps.onLateError,
        ),
      ),
    );
    pickers.forEach((field, i) => (choices[field.name] = lists[i]!.slice(0, PICKER_CHOICES)));
    return choices;
  }
}

function failed(error: unknown, core: ChatCore): FormStep {
  return { kind: "closed", reply: core.failure("submitting a form", error) };
}

function message(text: string): TaskModuleResponse {
  return { task: { type: "message", value: clip(text, 500) } };
}
