import { CardFactory, TurnContext, type Activity, type AdaptiveCardInvokeResponse } from "botbuilder";
import type { Reply } from "../../message/reply.ts";
import type { ChatCore } from "../core/chat-core.ts";
import { toPlainText } from "./card-markdown.ts";
import { ADAPTIVE_CARD_CONTENT_TYPE, clip, replyRenderer, type AdaptiveCard } from "./render-card.ts";
import { addressOf, conversationIdFor } from "./teams-address.ts";

/** An invoke response that has Teams show a short text and leave the pressed card as it is. */
const MESSAGE_CONTENT_TYPE = "application/vnd.microsoft.activity.message";
const renderReply = replyRenderer();

/** The card for a Reply; when it had to be cut, the core keeps the rest for its "Show more" button. */
export function cardFor(core: ChatCore, answer: Reply): Promise<AdaptiveCard> {
  return core.fit(answer, renderReply);
}

/** A Reply as a message: the card, plus a short summary for notifications. */
export async function activityFor(core: ChatCore, answer: Reply): Promise<Partial<Activity>> {
  return messageWith(await cardFor(core, answer), answer.text);
}

/** A card as a message, with a short summary for notifications. */
export function messageWith(card: AdaptiveCard, summary: string): Partial<Activity> {
  return {
    type: "message",
    summary: clip(toPlainText(summary), 200),
    attachments: [CardFactory.adaptiveCard(card)],
  };
}

/**
 * The answer to a pressed Action.Execute button. A card returned in the invoke response replaces the pressed
 * one, for everyone who sees it: right in a personal chat, where only the person who pressed does. In a
 * channel or group chat the pressed card is everyone's answer, so the button's answer is posted as a new
 * message (in a channel, into the card's reply chain) and the response is a message, which leaves the card
 * as it was (Universal Actions for Adaptive Cards, response type application/vnd.microsoft.activity.message).
 */
export async function answerCardAction(
  context: TurnContext,
  card: AdaptiveCard,
  summary: string,
): Promise<AdaptiveCardInvokeResponse> {
  const conversation = context.activity.conversation;
  if (conversation.conversationType === "personal") {
    return { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: card as never };
  }
  await replyBeside(context, messageWith(card, summary));
  const shown = conversation.conversationType === "channel" ? "Answered in the thread." : "Answered below.";
  return { statusCode: 200, type: MESSAGE_CONTENT_TYPE, value: shown as never };
}

/**
 * Post into the pressed card's conversation; in a channel, into its reply chain (a card posted at the top of
 * a channel is its own thread's root).
 */
async function replyBeside(context: TurnContext, message: Partial<Activity>): Promise<void> {
  const activity = context.activity;
  const address = addressOf(activity);
  const conversationId = address ? conversationIdFor(address) : activity.conversation.id;
  const outgoing = TurnContext.applyConversationReference(
    { ...message },
    {
      ...TurnContext.getConversationReference(activity),
      conversation: { ...activity.conversation, id: conversationId },
      // A reply to a message (the card, or the thread's root), not to the invoke, which is none.
      activityId: activity.replyToId ?? address?.replyChain,
    },
  );
  await context.adapter.sendActivities(context, [outgoing]);
}
