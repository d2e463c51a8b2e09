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

/** Token shapes that must never leave the process, whatever field they hide in. */
const SECRET_SHAPES = [
  /xox[abpr]-[A-Za-z0-9-]{8,}/g,
  /xapp-[A-Za-z0-9-]{8,}/g,
  /Bearer\s+[A-Za-z0-9._~+/=-]{16,}/g,
];

export function scrubSecrets(text: string): string {
  return SECRET_SHAPES.reduce((out, shape) => out.replace(shape, "[redacted]"), text);
}
