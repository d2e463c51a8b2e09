import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildApp, type App } from "./build-app.ts";
import { loadConfig } from "./config.ts";
import { resolvesToCommand, slackAliases, SLACK_SLASH_ALIASES } from "../bot/slack/slash-aliases.ts";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

interface SlackManifest {
  features: { slash_commands: { command: string; description: string; usage_hint?: string }[] };
}
interface TeamsManifest {
  bots: { commandLists: { commands: { title: string; description: string }[] }[] }[];
}

/** Every string in a parsed manifest, for what it promises in prose. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

/** Capabilities that exist only once their plugin registers the command; until then no manifest mentions them. */
const PROMISES: Record<string, RegExp> = {
  scaffold: /\/scaffold\b|\bscaffold\b|\btemplates?\b/i,
  docs: /\bdocs\b|techdocs|documentation/i,
};

/**
 * A manifest is what Slack and Teams show people: each command it advertises must reach a command the
 * router built with the real plugins runs, never "I don't know the command".
 */
describe("what the Slack and Teams manifests advertise, against the commands Callboard registers", () => {
  const dir = mkdtempSync(join(tmpdir(), "cb-manifest-"));
  let app: App;
  const slack = parse(read("slack/manifest.yaml")) as SlackManifest;
  const teams = JSON.parse(read("teams/manifest/manifest.json")) as TeamsManifest;

  beforeAll(async () => {
    app = await buildApp(loadConfig({ CALLBOARD_DATA_DIR: dir }, { cwd: dir }), pino({ level: "silent" }), {
      skipImport: true,
    });
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("each Slack slash command, with its alias words and usage hint, runs a registered command", () => {
    for (const { command, description, usage_hint: hint = "" } of slack.features.slash_commands) {
      if (command === "/callboard") {
        // "/callboard <words>": the words in its description and its usage hint.
        const listed = /\(([^)]+)\)/.exec(description)?.[1]?.split(",") ?? [];
        expect(listed.length).toBeGreaterThan(0);
        for (const words of [...listed, hint])
          expect(resolvesToCommand(app.router.commands, words.trim()), words).toBe(true);
        continue;
      }
      const words = SLACK_SLASH_ALIASES[command];
      expect(words, `${command} has no command words`).toBeDefined();
      expect(resolvesToCommand(app.router.commands, `${words} ${hint}`), command).toBe(true);
    }
  });

  it("the Slack adapter answers exactly the slash commands the manifest lists", () => {
    const listed = slack.features.slash_commands.map((c) => c.command).filter((c) => c !== "/callboard");
    expect(slackAliases(app.router.commands).sort()).toEqual(listed.sort());
  });

  it("each Teams bot command title, and the example in its description, runs a registered command", () => {
    const commands = teams.bots.flatMap((bot) => bot.commandLists.flatMap((list) => list.commands));
    expect(commands.length).toBeGreaterThan(0);
    for (const { title, description } of commands) {
      expect(resolvesToCommand(app.router.commands, title), title).toBe(true);
      const example = description.split(": ")[1];
      if (example) expect(resolvesToCommand(app.router.commands, example), example).toBe(true);
    }
  });

  it("neither manifest promises what no plugin registers yet", () => {
    const text = [...strings(slack), ...strings(teams)];
    for (const [command, mention] of Object.entries(PROMISES)) {
      if (resolvesToCommand(app.router.commands, command)) continue;
      expect(
        text.filter((s) => mention.test(s)),
        `"${command}" is not registered`,
      ).toEqual([]);
    }
  });
});
