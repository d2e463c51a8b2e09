import type { Action, Block, Reply } from "../../message/reply.ts";
import { personHandles } from "../../message/reply.ts";

/** A `person` link: its label (escapes allowed) and its target; an escaped bracket opens no link. */
const PERSON_LINK = /(?<=(?:^|[^\\])(?:\\\\)*)\[((?:\\.|[^\]\\])+)\]\((person:[^)\s]*)\)/g;

/**
 * The markdown subset as plain terminal text: links become "title <url>", a person "name (Slack U…)",
 * emphasis marks go.
 */
export function plainText(text: string): string {
  return text
    .replace(PERSON_LINK, (_, label: string, href: string) => {
      const { slack, teams } = personHandles(href) ?? {};
      const handles = [slack && `Slack ${slack}`, teams && `Teams ${teams}`].filter(Boolean);
      return handles.length > 0 ? `${label} (${handles.join(", ")})` : label;
    })
    .replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, "$1 <$2>")
    .replace(/\*\*([^*]+)\*\*/g, "$1")
    .replace(/(^|[\s(])_([^_]+)_(?=$|[\s).,;:])/g, "$1$2")
    .replace(/`([^`]+)`/g, "$1")
    .replace(/\\([*_`[\]\\])/g, "$1");
}

export interface RenderedText {
  text: string;
  /** Buttons that run a command, numbered in the text so a person can type the number. */
  choices: Action[];
}

/** Render a Reply for a terminal: readable without colour, and stable for scripts and tests. */
export function renderText(answer: Reply): RenderedText {
  const lines: string[] = [];
  const choices: Action[] = [];
  const blocks: Block[] = answer.blocks.length > 0 ? answer.blocks : [{ type: "section", text: answer.text }];
  for (const block of blocks) {
    switch (block.type) {
      case "header":
        lines.push(plainText(block.text), "=".repeat(Math.min(plainText(block.text).length, 60)));
        break;
      case "section":
        if (block.text) lines.push(plainText(block.text));
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
          if (action.command) {
            choices.push(action);
            lines.push(`[${choices.length}] ${action.label}: ${action.command}`);
          } else if (action.url) {
            lines.push(`- ${action.label}: ${action.url}`);
          }
        }
        break;
      case "divider":
        lines.push("");
        break;
    }
  }
  return { text: lines.join("\n"), choices };
}
