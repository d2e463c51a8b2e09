import { ConfigError } from "./config.ts";

/** Errors that mean the code is wrong, not the settings or the surroundings: whoever fixes it needs the stack. */
const PROGRAMMING_ERRORS = [TypeError, ReferenceError, RangeError, SyntaxError];

/**
 * Why Callboard did not start, for stderr. A setting, a file or an unreachable server is explained by the
 * message (which names it); a programming error also gets its stack rather than a one-line summary.
 */
export function describeStartupFailure(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  if (PROGRAMMING_ERRORS.some((kind) => error instanceof kind)) {
    return (error as Error).stack ?? String(error);
  }
  return error instanceof Error ? error.message : String(error);
}
