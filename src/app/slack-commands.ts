import { parseCommandLine } from "../bot/parse-command-line.ts";
import type { Router } from "../bot/router.ts";

/**
 * Slack slash commands besides /callboard, each with the command words it stands for (the Slack adapter
 * reads "/whoowns x" as "who owns x" and any other alias as its own name). /scaffold and /docs come alive
 * when the scaffolder and docs plugins register those commands; slack/manifest.yaml lists them only then.
 */
export const SLACK_SLASH_ALIASES: Readonly<Record<string, string>> = {
  "/whoowns": "who owns",
  "/scaffold": "scaffold",
  "/docs": "docs",
};

/** Whether the router runs a command for this line rather than answering "I don't know the command". */
export function resolvesToCommand(router: Router, line: string): boolean {
  const phrases = router.commands.flatMap((command) => command.phrases);
  return parseCommandLine(line, phrases).phrase !== undefined;
}

/** The slash commands to answer: those whose words name a registered command. */
export function slackAliases(router: Router): string[] {
  return Object.entries(SLACK_SLASH_ALIASES)
    .filter(([, words]) => resolvesToCommand(router, words))
    .map(([alias]) => alias);
}
