import pino, { type DestinationStream, type Logger } from "pino";
import { BUILT_IN_SECTIONS } from "./config.ts";

/** Field names that hold secrets wherever they appear in a log line; pino replaces them before writing. */
const SECRET_FIELDS = [
  "token",
  "botToken",
  "signingSecret",
  "appToken",
  "password",
  "appPassword",
  "privateKey",
  "authorization",
];

/**
 * Every path where a secret could appear: the fields above, request headers, and every setting a
 * configuration section declares secret (tokens, signing secrets, keys), at the top level or one level in.
 */
const REDACT = [
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`]),
  "headers.authorization",
  "req.headers.authorization",
  ...BUILT_IN_SECTIONS.flatMap((section) => section.secrets ?? []).flatMap((key) => [key, `*.${key}`]),
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    { level, redact: { paths: REDACT, censor: "[redacted]" }, base: { app: "callboard" } },
    destination,
  );
}
