import type { App, types } from "@slack/bolt";
import { reply, type Reply } from "../../message/reply.ts";
import { EXPIRED, type FormStep } from "../core/form-sessions.ts";
import type { Destination } from "./answer-delivery.ts";
import {
  BACK_ACTION_ID,
  decodeMetadata,
  encodeMetadata,
  FORM_CALLBACK_ID,
  modalErrors,
  readModalValues,
  renderModal,
} from "./render-modal.ts";
import { PROFILE_WAIT_MS, type SlackRuntime } from "./slack-runtime.ts";

type Page = Extract<FormStep, { kind: "page" }>;
type Submitted = Extract<FormStep, { kind: "submitted" }>;

/**
 * Slack waits 3 s for a view_submission's answer; this long after the request arrived, the modal is closed and
 * what came of the page is sent when it is known.
 */
const SUBMIT_ACK_MS = 2500;

/** A form page as the view that shows it; only the session id and the page travel with it. */
export function pageView(step: Page): types.ModalView {
  return renderModal(
    step.form,
    step.page,
    encodeMetadata({ session: step.session, page: step.page }),
    step.values,
  );
}

/** Open a form page with a trigger (a slash command's or a button's, valid once and for 3 s). */
export async function openModal(rt: SlackRuntime, triggerId: string, step: Page): Promise<void> {
  // Not paced: a trigger cannot wait its turn behind a channel's messages.
  await rt.client.views.open({ trigger_id: triggerId, view: pageView(step) });
}

/**
 * A submitted form's result goes back where the form was opened: through the response_url of the command or
 * button that opened it while it lasts (it reaches channels the bot is not in), else into its channel and
 * thread, else to the person.
 */
export async function deliverSubmitted(rt: SlackRuntime, step: Submitted, userId: string): Promise<void> {
  const { address } = step.origin.conversation;
  const channel = address?.channel ?? step.origin.conversation.channelId;
  const thread = address?.thread ?? step.origin.conversation.threadId;
  const to: Destination = {
    userId,
    ...(channel ? { channel } : {}),
    ...(thread ? { thread } : {}),
    ...(address?.responseUrl ? { responseUrl: address.responseUrl, replaceOriginal: false } : {}),
  };
  await rt.delivery.deliver(to, step.reply);
}

/** A view_submission's answer in its ack, and the work that follows the ack. */
interface Submission {
  response?:
    | { response_action: "errors"; errors: Record<string, string> }
    | { response_action: "update"; view: types.ModalView }
    | { response_action: "clear" };
  after?: () => Promise<void>;
}

interface ViewBody {
  user: { id: string; name?: string };
  view: { id?: string; hash?: string; private_metadata?: string; state?: { values?: unknown } };
}

/** Modals: a page submitted (Next/Submit), Back, and Cancel; the chat core decides what comes next. */
export function registerModals(app: App, rt: SlackRuntime): void {
  const { core, log } = rt;

  app.view({ callback_id: FORM_CALLBACK_ID, type: "view_submission" }, async ({ ack, body }) => {
    const { user, view } = body as unknown as ViewBody;
    let answer: Submission;
    try {
      answer = await submitPage(user, view, performance.now() + SUBMIT_ACK_MS);
    } catch (error) {
      // The session could not be read (the database is away): the modal closes, and the person is told.
      answer = {
        after: () => rt.delivery.deliver({ userId: user.id }, core.failure("reading a form", error)),
      };
    }
    await ack(answer.response);
    if (answer.after) rt.later(answer.after);
  });

  /** What to answer a submitted page with (errors, the next page, or close), and what to send after. */
  async function submitPage(
    user: ViewBody["user"],
    view: ViewBody["view"],
    deadline: number,
  ): Promise<Submission> {
    const meta = decodeMetadata(view.private_metadata);
    const shown = meta ? await core.forms.current(meta.session) : undefined;
    if (!meta || shown?.kind !== "page") {
      const note = shown?.kind === "closed" ? shown.reply : closedNote();
      return { after: () => rt.delivery.deliver({ userId: user.id }, note) };
    }
    const raw = readModalValues(shown.form, meta.page, view.state?.values);
    const person = await rt.chatUser(user.id, user.name, PROFILE_WAIT_MS);
    const stepping = core.formStep(meta.session, meta.page, raw, "next", person);
    const step = await within(stepping, deadline - performance.now()).catch((error: unknown) => ({
      kind: "failed" as const,
      error,
    }));
    if (step === undefined) {
      // The form's own checks or submit are slow: close the modal now, and say what came of it when it is done.
      return {
        response: { response_action: "clear" },
        after: async () => settleLate(await stepping.catch((e: unknown) => failedStep(rt, e)), user.id),
      };
    }
    switch (step.kind) {
      case "failed": {
        // The session is open again (the submit failed): the person can press Submit once the cause is fixed.
        const failed = core.failure(`submitting ${shown.form.title}`, step.error);
        return {
          response: {
            response_action: "errors",
            errors: modalErrors(shown.form, meta.page, { _form: failed.text }),
          },
        };
      }
      case "page":
        if (step.page === meta.page && Object.keys(step.errors).length > 0) {
          return {
            response: { response_action: "errors", errors: modalErrors(step.form, step.page, step.errors) },
          };
        }
        // One view, updated in place: Back is the view's own button and closing it cancels the form, so a
        // stack of pushed views (whose close goes back a view) would mean two different Backs.
        return { response: { response_action: "update", view: pageView(step) } };
      case "submitted":
        return { response: { response_action: "clear" }, after: () => deliverSubmitted(rt, step, user.id) };
      case "closed":
        return { after: () => rt.delivery.deliver({ userId: user.id }, step.reply) };
    }
  }

  // Cancel (or the close button): the session ends, so it cannot be submitted from another copy of the view.
  app.view({ callback_id: FORM_CALLBACK_ID, type: "view_closed" }, async ({ ack, body }) => {
    await ack();
    const { user, view } = body as unknown as ViewBody;
    const meta = decodeMetadata(view.private_metadata);
    if (!meta) return;
    rt.later(async () => {
      await core.formStep(meta.session, meta.page, {}, "cancel", { surface: "slack", id: user.id });
    });
  });

  app.action({ type: "block_actions", action_id: BACK_ACTION_ID }, async ({ ack, body }) => {
    await ack();
    const { user, view } = body as unknown as ViewBody;
    const meta = decodeMetadata(view?.private_metadata);
    const viewId = view?.id;
    if (!meta || !viewId) return;
    rt.later(async () => {
      const shown = await core.forms.current(meta.session);
      const step =
        shown.kind === "page"
          ? await core.formStep(
              meta.session,
              meta.page,
              readModalValues(shown.form, meta.page, view.state?.values),
              "back",
              await rt.chatUser(user.id, user.name),
            )
          : shown;
      const next =
        step.kind === "page" ? pageView(step) : noteView(step.kind === "closed" ? step.reply : closedNote());
      await rt.pacer.run(`view:${viewId}`, "tier4", () =>
        rt.client.views.update({ view_id: viewId, ...(view.hash ? { hash: view.hash } : {}), view: next }),
      );
    });
  });

  /** What became of a submission that outlived its ack, told to the person. */
  async function settleLate(step: FormStep, userId: string): Promise<void> {
    if (step.kind === "submitted") return deliverSubmitted(rt, step, userId);
    if (step.kind === "closed") return rt.delivery.deliver({ userId }, step.reply);
    // Still a page (its errors, or the next one): a button opens it again where the person left off.
    await rt.delivery.deliver(
      { userId },
      reply(
        `${step.form.title}: checking that page took too long, so the form was closed. Open it again to go on.`,
        {
          type: "actions",
          actions: [{ label: `Open ${step.form.title}`, form: { id: step.form.id, session: step.session } }],
        },
      ),
    );
    log.warn(
      { form: step.form.id },
      "a form page took longer than Slack waits; the person was sent a button",
    );
  }
}

function failedStep(rt: SlackRuntime, error: unknown): FormStep {
  return { kind: "closed", reply: rt.core.failure("submitting a form", error) };
}

function closedNote(): Reply {
  return { ...reply(EXPIRED), ephemeral: true };
}

/** A modal that only says something (the form behind it is gone), in place of a page. */
function noteView(note: Reply): types.ModalView {
  return {
    type: "modal",
    callback_id: FORM_CALLBACK_ID,
    title: { type: "plain_text", text: "Callboard" },
    close: { type: "plain_text", text: "Close" },
    blocks: [{ type: "section", text: { type: "plain_text", text: note.text.slice(0, 3000) || "Closed." } }],
  };
}

/** `work`'s result, or undefined when it takes longer than `ms`. */
async function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>(
    (resolve) => (timer = setTimeout(() => resolve(undefined), Math.max(0, ms))),
  );
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
