import {
  CardFactory,
  type AppBasedLinkQuery,
  type Attachment,
  type MessagingExtensionAttachment,
  type MessagingExtensionQuery,
  type MessagingExtensionResponse,
} from "botbuilder";
import { actions, header, reply, section, type Reply } from "../../message/reply.ts";
import type { ChatUser, SearchHit } from "../../plugins/api.ts";
import type { ChatCore } from "../core/chat-core.ts";
import { toPlainText } from "./card-markdown.ts";
import type { Deadline } from "./deadline.ts";
import { clip, type AdaptiveCard } from "./render-card.ts";

const MAX_QUERY_RESULTS = 25;
const LATE = Symbol("late");

export interface MessageExtensionDeps {
  core: Pick<ChatCore, "search" | "unfurl">;
  /** The card for a Reply, as the bot renders it everywhere else. */
  cardFor(answer: Reply): Promise<AdaptiveCard>;
  /** A call that missed the deadline and failed afterwards. */
  onLateError(error: unknown): void;
}

/**
 * Search from the compose box (composeExtension/query) and link previews (composeExtension/queryLink).
 * Teams drops an answer that takes over 5 s, so the person, the search and every card race the invoke's one
 * deadline, and what is ready when it comes is the answer: fewer results rather than none.
 */
export class MessageExtension {
  constructor(private readonly deps: MessageExtensionDeps) {}

  async query(
    query: MessagingExtensionQuery,
    deadline: Deadline,
    who: () => Promise<ChatUser>,
  ): Promise<MessagingExtensionResponse> {
    const parameter = (query.parameters ?? []).find((p) => p.name !== "initialRun");
    const text = typeof parameter?.value === "string" ? parameter.value.trim() : "";
    const skip = Math.max(0, query.queryOptions?.skip ?? 0);
    const count = Math.min(MAX_QUERY_RESULTS, Math.max(1, query.queryOptions?.count ?? 10));
    const attachments: MessagingExtensionAttachment[] = [];
    if (text) {
      const user = await who();
      const hits = await deadline.race(
        this.deps.core.search(text, skip + count, user),
        [] as SearchHit[],
        this.deps.onLateError,
      );
      for (const hit of hits.slice(skip, skip + count)) {
        const attachment = await deadline.race(this.hitAttachment(hit), LATE, this.deps.onLateError);
        if (attachment === LATE) break;
        attachments.push(attachment);
      }
    }
    return results(attachments);
  }

  async linkPreview(query: AppBasedLinkQuery, deadline: Deadline): Promise<MessagingExtensionResponse> {
    let url: URL | undefined;
    try {
      url = query.url ? new URL(query.url) : undefined;
    } catch {
      url = undefined;
    }
    const preview = url
      ? await deadline.race(this.deps.core.unfurl(url), undefined, this.deps.onLateError)
      : undefined;
    if (!preview) return results([]);
    const card = await deadline.race(this.deps.cardFor(preview), LATE, this.deps.onLateError);
    if (card === LATE) return results([]);
    const first = preview.blocks.find((b) => b.type === "header");
    const title = first && first.type === "header" ? first.text : preview.text;
    return results([previewAttachment(card, title, preview.text)]);
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
    return previewAttachment(await this.deps.cardFor(answer), hit.title, hit.subtitle ?? hit.text ?? "");
  }
}

function results(attachments: MessagingExtensionAttachment[]): MessagingExtensionResponse {
  return { composeExtension: { type: "result", attachmentLayout: "list", attachments } };
}

function previewAttachment(card: AdaptiveCard, title: string, text: string): MessagingExtensionAttachment {
  const attachment = CardFactory.adaptiveCard(card) as Attachment;
  const preview = CardFactory.thumbnailCard(clip(toPlainText(title), 120), clip(toPlainText(text), 200));
  return { ...attachment, preview };
}
