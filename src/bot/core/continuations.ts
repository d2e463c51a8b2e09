import type { Action, Reply } from "../../message/reply.ts";
import type { ContinuationStore } from "../../state/ports.ts";

/**
 * "Show more", the same on every surface: when a renderer has to cut an answer (Slack's 50 blocks, a Teams
 * card's size), the core keeps the rest once and the button fetches it. Renderers stay pure: they only say
 * where they cut.
 */

/** What a renderer made of a Reply, and the index of the first block it left out, if any. */
export interface Rendered<T> {
  output: T;
  cutAt?: number;
}

/**
 * Renders `reply` for one surface. Given `more`, a renderer that must cut shows the blocks that fit, then
 * `more` as a button; without cutting, `more` is not shown. The button is the same size whatever it points at.
 */
export type Renderer<T> = (reply: Reply, more: Action) => Rendered<T>;

/** Kept answers outlive the messages they belong to by a week; older buttons answer "expired". */
const TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** Stands in for a continuation id (a UUID) while a renderer measures; same length as a real one. */
const PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000";

export const EXPIRED_CONTINUATION = "That answer has expired. Ask again to see it in full.";

export class Continuations {
  constructor(
    private readonly store: ContinuationStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * The rendered reply: rendered once when it fits; when it does not, the rest is kept and it is rendered again
   * with a "Show more" button that fetches it. Only a cut answer writes anything.
   */
  async fit<T>(reply: Reply, render: Renderer<T>): Promise<T> {
    const first = render(reply, moreAction(PLACEHOLDER_ID));
    if (first.cutAt === undefined || first.cutAt >= reply.blocks.length) return first.output;
    const rest: Reply = { text: reply.text, blocks: reply.blocks.slice(first.cutAt) };
    const id = await this.store.put(JSON.stringify(rest), new Date(this.now().getTime() + TTL_MS));
    return render(reply, moreAction(id)).output;
  }

  /** The rest of a cut answer, or undefined when it has expired. */
  async take(id: string): Promise<Reply | undefined> {
    if (typeof id !== "string" || id.length === 0 || id.length > 100) return undefined;
    const body = await this.store.get(id);
    if (!body) return undefined;
    try {
      const parsed = JSON.parse(body) as Reply;
      return Array.isArray(parsed.blocks) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
}

function moreAction(id: string): Action {
  return { label: "Show more", continuation: id };
}
