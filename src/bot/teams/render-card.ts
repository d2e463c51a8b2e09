/**
 * Replies as Adaptive Cards 1.5, the highest version Teams renders in bot messages, dialogs, message-extension
 * results and link previews (form pages: render-form.ts). Pure: no SDK, no I/O, so it can be tested
 * exhaustively and survive the move from botbuilder to @microsoft/agents-hosting untouched.
 */
import { actionPayload, encodeActionPayload } from "../core/action-codec.ts";
import type { Rendered, Renderer } from "../core/continuations.ts";
import { webUrl, type Action, type Block, type Reply } from "../../message/reply.ts";
import { escapeCardText, toCardMarkdown, toPlainText } from "./card-markdown.ts";

export type CardElement = { type: string; [key: string]: unknown };

export interface AdaptiveCard {
  type: "AdaptiveCard";
  $schema: string;
  version: "1.5";
  body: CardElement[];
  actions?: CardElement[];
  fallbackText?: string;
}

export const ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";
/** Teams refuses messages above about 28 KB (413 MessageSizeTooBig); keep room for the activity around the card. */
export const TEAMS_MESSAGE_BYTE_LIMIT = 28 * 1024;
export const DEFAULT_CARD_BYTE_LIMIT = 26 * 1024;
/**
 * Action.Execute verbs. What a button does is its data (the action codec's payload, the same on every
 * platform); the verb only names it for Teams' logs and for people reading a card's JSON.
 */
const VERB_COMMAND = "command";
const VERB_MORE = "more";

/** A single text is clipped before any block is dropped, so one huge section cannot push out everything. */
const MAX_TEXT_CHARS = 6000;
const MAX_ACTIONS_PER_SET = 6;

export interface RenderOptions {
  /** Largest card JSON in bytes (UTF-8). */
  byteLimit?: number;
  /** The button that shows what did not fit ("Show more"), shown last when the card is cut. */
  more?: Action;
}

export function cardBytes(card: unknown): number {
  return Buffer.byteLength(JSON.stringify(card), "utf8");
}

/** The text cut to `max` characters, with an ellipsis where it was cut. */
export function clip(text: string, max = MAX_TEXT_CHARS): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function emptyCard(fallbackText: string): AdaptiveCard {
  return {
    type: "AdaptiveCard",
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    version: "1.5",
    body: [],
    fallbackText: clip(toPlainText(fallbackText), 500),
  };
}

/** The card action for a button; undefined for a link button whose URL is not a web or mail link. */
export function renderAction(action: Action): CardElement | undefined {
  const title = clip(toPlainText(action.label), 80);
  const style =
    action.style === "primary" ? "positive" : action.style === "danger" ? "destructive" : undefined;
  const payload = actionPayload(action);
  if (payload && "form" in payload) {
    // Action.Execute cannot open a dialog; Teams turns this Submit into a task/fetch invoke.
    return {
      type: "Action.Submit",
      title,
      ...(style ? { style } : {}),
      data: { msteams: { type: "task/fetch" }, ...cardData(payload) },
    };
  }
  if (payload) {
    return {
      type: "Action.Execute",
      title,
      verb: "continuation" in payload ? VERB_MORE : VERB_COMMAND,
      data: cardData(payload),
      ...(style ? { style } : {}),
    };
  }
  const url = action.url ? webUrl(action.url) : undefined;
  return url ? { type: "Action.OpenUrl", title, url } : undefined;
}

/** A button's payload as card data: the action codec's compact form, as an object. */
function cardData(payload: NonNullable<ReturnType<typeof actionPayload>>): Record<string, unknown> {
  return JSON.parse(encodeActionPayload(payload)) as Record<string, unknown>;
}

function actionSets(actions: CardElement[]): CardElement[] {
  const sets: CardElement[] = [];
  for (let i = 0; i < actions.length; i += MAX_ACTIONS_PER_SET) {
    sets.push({ type: "ActionSet", actions: actions.slice(i, i + MAX_ACTIONS_PER_SET) });
  }
  return sets;
}

/** One Reply block as card elements (a block may need several, e.g. a section with text and facts). */
export function renderBlock(block: Block): CardElement[] {
  switch (block.type) {
    case "header":
      return [
        {
          type: "TextBlock",
          text: escapeCardText(clip(block.text, 300)),
          size: "Large",
          weight: "Bolder",
          wrap: true,
        },
      ];
    case "section": {
      const out: CardElement[] = [];
      if (block.text) out.push({ type: "TextBlock", text: toCardMarkdown(clip(block.text)), wrap: true });
      if (block.fields?.length) {
        out.push({
          type: "FactSet",
          facts: block.fields.map((f) => ({
            title: clip(toPlainText(f.label), 200),
            value: toCardMarkdown(clip(f.value, 2000)),
          })),
        });
      }
      return out;
    }
    case "context":
      return [
        {
          type: "TextBlock",
          text: toCardMarkdown(clip(block.text)),
          size: "Small",
          isSubtle: true,
          wrap: true,
        },
      ];
    case "links":
      return actionSets(
        block.links.flatMap((l) => {
          const url = webUrl(l.url);
          return url ? [{ type: "Action.OpenUrl", title: clip(toPlainText(l.title), 80), url }] : [];
        }),
      );
    case "actions":
      return actionSets(block.actions.flatMap((a) => renderAction(a) ?? []));
    case "divider":
      return [];
  }
}

/**
 * A Reply as one Adaptive Card. Blocks that would push the card past the byte limit are left out and the
 * `more` button takes their place: a long answer is shortened, never refused by Teams. `cutAt` says which
 * block is the first left out (the chat core keeps the rest for the button).
 */
export function renderReplyCard(reply: Reply, options: RenderOptions = {}): Rendered<AdaptiveCard> {
  const limit = options.byteLimit ?? DEFAULT_CARD_BYTE_LIMIT;
  const card = emptyCard(reply.text);
  const blocks = reply.blocks;
  // What a cut card ends with; its size is reserved up front so adding it never overflows.
  const moreElementsFor = (next: number): CardElement[] => {
    const left = blocks.length - next;
    const note: CardElement = {
      type: "TextBlock",
      text: escapeCardText(
        `${left} more part${left === 1 ? "" : "s"} of this answer did not fit in one card.`,
      ),
      size: "Small",
      isSubtle: true,
      wrap: true,
      separator: true,
    };
    const button = options.more ? renderAction(options.more) : undefined;
    return button ? [note, { type: "ActionSet", actions: [button] }] : [note];
  };
  const reserve = cardBytes(moreElementsFor(0)) + 64;
  let separatorNext = false;
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i]!;
    if (block.type === "divider") {
      separatorNext = true;
      continue;
    }
    const elements = renderBlock(block);
    if (elements.length === 0) continue;
    if (separatorNext) elements[0] = { ...elements[0]!, separator: true };
    const before = card.body.length;
    card.body.push(...elements);
    const budget = i === blocks.length - 1 ? limit : limit - reserve;
    if (cardBytes(card) <= budget) {
      separatorNext = false;
      continue;
    }
    card.body.length = before;
    let next = i;
    if (before === 0) {
      // This block is too big for any card on its own: its summary stands in for it, and "more" goes on
      // after it (pointing back at it would show the same card for ever).
      card.body.push({
        type: "TextBlock",
        text: escapeCardText(clip(toPlainText(reply.text), 1000)),
        wrap: true,
      });
      next = i + 1;
      if (next >= blocks.length) return { output: card };
    }
    card.body.push(...moreElementsFor(next));
    return { output: card, cutAt: next };
  }
  if (card.body.length === 0) {
    card.body.push({
      type: "TextBlock",
      text: escapeCardText(clip(toPlainText(reply.text), 2000)),
      wrap: true,
    });
  }
  return { output: card };
}

/** The renderer the chat core's "Show more" (ChatCore.fit) takes. */
export function replyRenderer(byteLimit = DEFAULT_CARD_BYTE_LIMIT): Renderer<AdaptiveCard> {
  return (reply, more) => renderReplyCard(reply, { byteLimit, more });
}

/** The card alone, for callers that do not keep the rest of a long answer. */
export function renderCard(reply: Reply, options: RenderOptions = {}): AdaptiveCard {
  return renderReplyCard(reply, options).output;
}
