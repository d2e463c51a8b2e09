import { LogLevel, type Logger as BoltLogger } from "@slack/bolt";
import type { Logger } from "pino";

/**
 * Bolt and the Web API client log through this, so their lines land in the app's pino log with the same
 * redaction. Their messages are free text, so token shapes are scrubbed from the text as well.
 */
export function boltLogger(log: Logger): BoltLogger {
  let level: LogLevel = toBoltLevel(log.level);
  const write = (method: "debug" | "info" | "warn" | "error", parts: unknown[]) => {
    // The Web API client logs every request body at debug; skip the formatting when nobody reads it.
    if (!log.isLevelEnabled(method)) return;
    const errors = parts.filter((p): p is Error => p instanceof Error);
    const text = scrubSecrets(
      parts
        .filter((p) => !(p instanceof Error))
        .map((p) => (typeof p === "string" ? p : safeJson(p)))
        .join(" "),
    );
    if (errors[0]) log[method]({ err: errors[0] }, text || scrubSecrets(errors[0].message));
    else log[method](text);
  };
  return {
    debug: (...msg: unknown[]) => write("debug", msg),
    info: (...msg: unknown[]) => write("info", msg),
    warn: (...msg: unknown[]) => write("warn", msg),
    error: (...msg: unknown[]) => write("error", msg),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

function toBoltLevel(level: string): LogLevel {
  switch (level) {
    case "trace":
    case "debug":
      return LogLevel.DEBUG;
    case "info":
      return LogLevel.INFO;
    case "warn":
      return LogLevel.WARN;
    default:
      return LogLevel.ERROR;
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** Token shapes that must never leave the process, whatever field or message text they hide in. */
const SECRET_SHAPES = [
  /xox[abpr]-[A-Za-z0-9-]{8,}/g,
  /xapp-[A-Za-z0-9-]{8,}/g,
  /Bearer\s+[A-Za-z0-9._~+/=-]{16,}/g,
];

export function scrubSecrets(text: string): string {
  return SECRET_SHAPES.reduce((out, shape) => out.replace(shape, "[redacted]"), text);
}
