import pino, { type DestinationStream, type Logger } from "pino";

/** Every path where a secret could appear in a log line; pino replaces them before writing. */
const REDACT = [
  "token",
  "*.token",
  "botToken",
  "*.botToken",
  "signingSecret",
  "*.signingSecret",
  "appToken",
  "*.appToken",
  "password",
  "*.password",
  "appPassword",
  "*.appPassword",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "req.headers.authorization",
  'headers["x-slack-signature"]',
  "SLACK_BOT_TOKEN",
  "SLACK_SIGNING_SECRET",
  "SLACK_APP_TOKEN",
  "MICROSOFT_APP_PASSWORD",
  "MEILISEARCH_API_KEY",
  "*.SLACK_BOT_TOKEN",
  "*.SLACK_SIGNING_SECRET",
  "*.SLACK_APP_TOKEN",
  "*.MICROSOFT_APP_PASSWORD",
  "*.MEILISEARCH_API_KEY",
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    { level, redact: { paths: REDACT, censor: "[redacted]" }, base: { app: "callboard" } },
    destination,
  );
}
