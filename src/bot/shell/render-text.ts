import { parseMarkup, plainText as plainInline, type Inline } from "../../message/markup.ts";
import type { Action, Block, Reply } from "../../message/reply.ts";
import type { Rendered } from "../core/continuations.ts";

/**
 * The markdown subset as terminal text: emphasis marks go, a link is "title <url>", a person is their name
 * with every chat handle written out (the terminal is no chat platform, so nobody is pinged).
 */
export function plainText(text: string): string {
  return writeInline(parseMarkup(text));
}

function writeInline(nodes: Inline[]): string {
  let out = "";
  for (const node of nodes) {
    switch (node.type) {
      case "text":
      case "code":
        out += node.text;
        break;
      case "break":
        out += "\n";
        break;
      case "strong":
      case "em":
        out += writeInline(node.children);
        break;
      case "link": {
        const label = plainInline(node.children);
        out += label === node.url ? node.url : `${label} <${node.url}>`;
        break;
      }
      case "person": {
        const { slack, teams } = node.handles;
        const handles = [slack && `Slack ${slack}`, teams && `Teams ${teams}`].filter(Boolean);
        const name = plainInline(node.children);
        out += handles.length > 0 ? `${name} (${handles.join(", ")})` : name;
        break;
      }
    }
  }
  return out;
}

export interface RenderedText {
  text: string;
  /** Buttons that do something here (a command, a form, "Show more"), numbered in the text in this order. */
  choices: Action[];
}

/** Lines an answer may take before the rest waits behind "Show more": a screenful, not a scroll-back. */
export const SHELL_MAX_LINES = 80;

/**
 * Render a Reply for a terminal: readable without colour, and stable for scripts and tests. An answer longer
 * than `maxLines` stops after the last block that fits, with `more` as its last choice.
 */
export function renderText(answer: Reply, more?: Action, maxLines = SHELL_MAX_LINES): Rendered<RenderedText> {
  const blocks: Block[] = answer.blocks.length > 0 ? answer.blocks : [{ type: "section", text: answer.text }];
  const lines: string[] = [];
  const choices: Action[] = [];
  for (const [index, block] of blocks.entries()) {
    const { lines: blockLines, choices: blockChoices } = renderBlock(block, choices.length);
    // Room is kept for the "Show more" line; the first block always shows, however long.
    if (more && index > 0 && lines.length + blockLines.length > maxLines - 1) {
      choices.push(more);
      lines.push(`[${choices.length}] ${more.label}`);
      return { output: { text: lines.join("\n"), choices }, cutAt: index };
    }
    lines.push(...blockLines);
    choices.push(...blockChoices);
  }
  return { output: { text: lines.join("\n"), choices } };
}

function renderBlock(block: Block, numbered: number): { lines: string[]; choices: Action[] } {
  const lines: string[] = [];
  const choices: Action[] = [];
  switch (block.type) {
    case "header": {
      const text = plainText(block.text);
      lines.push(text, "=".repeat(Math.min(text.length, 60)));
      break;
    }
    case "section":
      if (block.text) lines.push(...plainText(block.text).split("\n"));
      if (block.fields) {
        const width = Math.max(...block.fields.map((f) => f.label.length));
        for (const field of block.fields) {
          const [first = "", ...rest] = plainText(field.value).split("\n");
          lines.push(`${`${field.label}:`.padEnd(width + 2)}${first}`);
          for (const line of rest) lines.push(`${" ".repeat(width + 2)}${line}`);
        }
      }
      break;
    case "context":
      lines.push(`(${plainText(block.text)})`);
      break;
    case "links":
      for (const link of block.links) lines.push(`- ${plainText(link.title)}: ${link.url}`);
      break;
    case "actions":
      for (const action of block.actions) {
        if (action.command !== undefined || action.form || action.continuation) {
          choices.push(action);
          const what = action.command ?? (action.form ? `opens ${action.form.id}` : "");
          lines.push(`[${numbered + choices.length}] ${action.label}${what ? `: ${what}` : ""}`);
        } else if (action.url) {
          lines.push(`- ${action.label}: ${action.url}`);
        }
      }
      break;
    case "divider":
      lines.push("");
      break;
  }
  return { lines, choices };
}
