import type { types } from "@slack/bolt";
import { webUrl, type Action, type Block, type Reply } from "../../message/reply.ts";
import { actionPayload, encodeActionPayload } from "../core/action-codec.ts";
import type { Rendered, Renderer } from "../core/continuations.ts";
import { clip, cutMrkdwn, escapeMrkdwn, splitMrkdwn, toMrkdwn, toPlainText } from "./mrkdwn.ts";
import { SLACK_LIMITS } from "./slack-limits.ts";

type KnownBlock = types.KnownBlock;

export interface RenderedMessage {
  text: string;
  blocks: KnownBlock[];
}

export interface MessageOptions {
  /** 50 for messages and unfurls, 100 for the App Home tab. */
  maxBlocks?: number;
  /** The "Show more" button to end a cut answer with; without one, a note says what was left out. */
  more?: Action;
}

/**
 * Reply → Block Kit message, pure: the same Reply always gives the same blocks. When the blocks do not fit,
 * the answer is cut between two of its blocks: what fits is shown, then `more` as the last block, and
 * `cutAt` says which of the Reply's blocks is the first one left out (the chat core keeps the rest).
 */
export function renderMessage(answer: Reply, options: MessageOptions = {}): Rendered<RenderedMessage> {
  const maxBlocks = options.maxBlocks ?? SLACK_LIMITS.messageBlocks;
  const ids = { next: 0 };
  const parts = answer.blocks.map((block) => renderBlock(block, ids));
  const text = fallbackText(answer);
  if (parts.reduce((n, part) => n + part.length, 0) <= maxBlocks) {
    return { output: { text, blocks: parts.flat() } };
  }
  // The last block is the button, or the note that says what is missing.
  const room = maxBlocks - 1;
  const kept: KnownBlock[] = [];
  let cutAt = 0;
  while (cutAt < parts.length && kept.length + parts[cutAt]!.length <= room) kept.push(...parts[cutAt++]!);
  let lost = 0;
  if (cutAt === 0) {
    // One block larger than a whole message (text past ~140,000 characters): what fits of it.
    kept.push(...parts[0]!.slice(0, room));
    lost = parts[0]!.length - room;
    cutAt = 1;
  }
  const more = options.more ? renderButtons([options.more], ids) : [];
  if (more.length === 1) return { output: { text, blocks: [...kept, ...more] }, cutAt };
  const leftOut =
    lost +
    parts
      .slice(cutAt)
      .flat()
      .filter((b) => b.type !== "divider").length;
  const note = `${leftOut} more ${leftOut === 1 ? "part" : "parts"} not shown here; ask a narrower question to see them.`;
  return {
    output: { text, blocks: [...kept, { type: "context", elements: [{ type: "mrkdwn", text: note }] }] },
    cutAt,
  };
}

/** Renders messages for the chat core's `fit`, which keeps the rest of a cut answer for "Show more". */
export function messageRenderer(maxBlocks: number = SLACK_LIMITS.messageBlocks): Renderer<RenderedMessage> {
  return (answer, more) => renderMessage(answer, { maxBlocks, more });
}

/** Renders the App Home tab (100 blocks) for `fit`. */
export const homeRenderer: Renderer<types.HomeView> = (answer, more) => {
  const rendered = renderMessage(answer, { maxBlocks: SLACK_LIMITS.viewBlocks, more });
  return { output: { type: "home", blocks: rendered.output.blocks }, ...cut(rendered) };
};

function cut(rendered: Rendered<unknown>): { cutAt?: number } {
  return rendered.cutAt === undefined ? {} : { cutAt: rendered.cutAt };
}

/**
 * The answer with each block small enough to be cut between: a section's fields in tens, links in twenties,
 * buttons in twenty-fives, one Slack block each. "Show more" cuts between the Reply's blocks, so a block of
 * 300 links is not lost past the 50th Slack block: it goes on on the next page.
 */
export function sizedForSlack(answer: Reply): Reply {
  const blocks: Block[] = [];
  let split = false;
  for (const block of answer.blocks) {
    if (block.type === "section" && (block.fields?.length ?? 0) > SLACK_LIMITS.sectionFields) {
      const fields = block.fields!;
      for (let at = 0; at < fields.length; at += SLACK_LIMITS.sectionFields) {
        const chunk = fields.slice(at, at + SLACK_LIMITS.sectionFields);
        blocks.push(
          at === 0 && block.text ? { ...block, fields: chunk } : { type: "section", fields: chunk },
        );
      }
      split = true;
    } else if (block.type === "links" && block.links.length > LINKS_PER_BLOCK) {
      for (let at = 0; at < block.links.length; at += LINKS_PER_BLOCK) {
        blocks.push({ type: "links", links: block.links.slice(at, at + LINKS_PER_BLOCK) });
      }
      split = true;
    } else if (block.type === "actions" && block.actions.length > SLACK_LIMITS.actionsElements) {
      for (let at = 0; at < block.actions.length; at += SLACK_LIMITS.actionsElements) {
        blocks.push({ type: "actions", actions: block.actions.slice(at, at + SLACK_LIMITS.actionsElements) });
      }
      split = true;
    } else {
      blocks.push(block);
    }
  }
  return split ? { ...answer, blocks } : answer;
}

const LINKS_PER_BLOCK = 20;

function fallbackText(answer: Reply): string {
  const text = answer.text.trim() || firstText(answer.blocks) || "Callboard";
  return clip(escapeMrkdwn(text), SLACK_LIMITS.fallbackText);
}

function firstText(blocks: Block[]): string | undefined {
  for (const block of blocks) {
    if ((block.type === "header" || block.type === "section" || block.type === "context") && block.text) {
      return toPlainText(block.text);
    }
  }
  return undefined;
}

function renderBlock(block: Block, ids: { next: number }): KnownBlock[] {
  switch (block.type) {
    case "header": {
      const text = clip(toPlainText(block.text).trim(), SLACK_LIMITS.headerText);
      return text ? [{ type: "header", text: { type: "plain_text", text, emoji: true } }] : [];
    }
    case "section":
      return renderSection(block.text, block.fields);
    case "context": {
      const text = cutMrkdwn(toMrkdwn(block.text), SLACK_LIMITS.contextText);
      return text.trim() ? [{ type: "context", elements: [{ type: "mrkdwn", text }] }] : [];
    }
    case "links": {
      const lines = block.links.flatMap((l) => {
        const url = webUrl(l.url);
        return url
          ? [`• <${escapeMrkdwn(url)}|${escapeMrkdwn(toPlainText(l.title)).replace(/\|/g, "¦")}>`]
          : [];
      });
      if (lines.length === 0) return [];
      return splitMrkdwn(lines.join("\n"), SLACK_LIMITS.sectionText).map((text) => mrkdwnSection(text));
    }
    case "actions":
      return renderButtons(block.actions, ids);
    case "divider":
      return [{ type: "divider" }];
  }
}

export function mrkdwnSection(text: string): KnownBlock {
  return { type: "section", text: { type: "mrkdwn", text } };
}

function renderSection(
  text: string | undefined,
  items: { label: string; value: string }[] | undefined,
): KnownBlock[] {
  const sections: types.SectionBlock[] = (
    text?.trim() ? splitMrkdwn(toMrkdwn(text), SLACK_LIMITS.sectionText) : []
  ).map((chunk) => ({ type: "section", text: { type: "mrkdwn", text: chunk } }));
  const fieldTexts = (items ?? []).map((f) =>
    cutMrkdwn(`*${escapeMrkdwn(toPlainText(f.label))}*\n${toMrkdwn(f.value) || " "}`, SLACK_LIMITS.fieldText),
  );
  for (let start = 0; start < fieldTexts.length; start += SLACK_LIMITS.sectionFields) {
    const chunk = fieldTexts
      .slice(start, start + SLACK_LIMITS.sectionFields)
      .map((t) => ({ type: "mrkdwn" as const, text: t }));
    const last = sections[sections.length - 1];
    if (start === 0 && last && !last.fields) last.fields = chunk;
    else sections.push({ type: "section", fields: chunk });
  }
  return sections;
}

/** Buttons carry back what the action codec writes; action ids are cb_0, cb_1 … within one message. */
export const BUTTON_ACTION_ID = /^cb_\d+$/;

function renderButtons(list: Action[], ids: { next: number }): KnownBlock[] {
  const buttons: types.Button[] = [];
  for (const action of list) {
    const text = clip(toPlainText(action.label).trim() || "Open", SLACK_LIMITS.buttonText);
    const button: types.Button = {
      type: "button",
      text: { type: "plain_text", text, emoji: true },
      action_id: "",
    };
    const payload = action.url ? undefined : actionPayload(action);
    if (action.url) {
      const url = webUrl(action.url);
      if (!url || url.length > SLACK_LIMITS.buttonUrl) continue;
      button.url = url;
    } else if (payload) {
      const value = encodeActionPayload(payload);
      // A command longer than Slack lets a button carry cannot be run from one; the text still says it.
      if (value.length > SLACK_LIMITS.buttonValue) continue;
      button.value = value;
    } else {
      continue;
    }
    if (action.style) button.style = action.style;
    button.action_id = `cb_${ids.next++}`;
    buttons.push(button);
  }
  const blocks: KnownBlock[] = [];
  for (let start = 0; start < buttons.length; start += SLACK_LIMITS.actionsElements) {
    blocks.push({ type: "actions", elements: buttons.slice(start, start + SLACK_LIMITS.actionsElements) });
  }
  return blocks;
}
