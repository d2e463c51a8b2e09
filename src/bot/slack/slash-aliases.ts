import type { ChatCommand } from "../../plugins/api.ts";
import { parseCommandLine } from "../core/parse-command-line.ts";

/**
 * Slack slash commands besides /callboard, each with the command words it stands for: "/whoowns x" reads as
 * "who owns x". /scaffold and /docs come alive when the scaffolder and docs plugins register those commands;
 * slack/manifest.yaml lists them only then.
 */
export const SLACK_SLASH_ALIASES: Readonly<Record<string, string>> = {
  "/whoowns": "who owns",
  "/scaffold": "scaffold",
  "/docs": "docs",
};

/** The words a slash command stands for ("" for /callboard itself, whose text is the whole command). */
export function aliasWords(slashCommand: string): string {
  if (slashCommand === "/callboard") return "";
  return SLACK_SLASH_ALIASES[slashCommand] ?? slashCommand.slice(1);
}

/** Whether a line runs a command rather than getting "I don't know the command". */
export function resolvesToCommand(commands: readonly ChatCommand[], line: string): boolean {
  const phrases = commands.flatMap((command) => command.phrases);
  return parseCommandLine(line, phrases).phrase !== undefined;
}

/** The slash commands to answer: those whose words name a registered command. */
export function slackAliases(commands: readonly ChatCommand[]): string[] {
  return Object.entries(SLACK_SLASH_ALIASES)
    .filter(([, words]) => resolvesToCommand(commands, words))
    .map(([alias]) => alias);
}
