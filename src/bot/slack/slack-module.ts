import { z } from "zod";
import { defineConfigSection, optionalText, urlText } from "../../plugins/config-section.ts";
import { defineAdapterModule } from "../core/adapter.ts";
import { createSlackAdapter } from "./slack-adapter.ts";
import { slackAliases } from "./slash-aliases.ts";

/** Slack's settings (callboard.yaml `slack:`); tokens and the signing secret only from the environment. */
export const slackSettings = defineConfigSection({
  id: "slack",
  schema: z.object({
    SLACK_BOT_TOKEN: optionalText,
    SLACK_SIGNING_SECRET: optionalText,
    /** An app-level token (xapp-…): Socket Mode instead of the HTTP endpoint. */
    SLACK_APP_TOKEN: optionalText,
    /** Web API base URL (tests point it at a local stand-in). */
    SLACK_API_URL: urlText,
  }),
  yaml: { apiUrl: "SLACK_API_URL" },
  secrets: ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"],
});

export const slackModule = defineAdapterModule({
  name: "slack",
  label: "Slack",
  settings: slackSettings,
  public: true,
  enabled: (values) => Boolean(values.SLACK_BOT_TOKEN && values.SLACK_SIGNING_SECRET),
  howToEnable: "for Slack set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (README: Connect to Slack)",
  describe: (values) => (values.SLACK_APP_TOKEN ? "Slack (Socket Mode)" : "Slack at /slack/events"),
  create: (values, services) =>
    createSlackAdapter(
      {
        signingSecret: values.SLACK_SIGNING_SECRET ?? "",
        botToken: values.SLACK_BOT_TOKEN ?? "",
        ...(values.SLACK_APP_TOKEN ? { appToken: values.SLACK_APP_TOKEN } : {}),
        ...(values.SLACK_API_URL ? { apiUrl: values.SLACK_API_URL } : {}),
        // Only the aliases whose commands exist, so no slash command answers "I don't know the command".
        aliases: slackAliases(services.core.commands),
      },
      services,
    ),
});
