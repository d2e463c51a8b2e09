import { listWorkspace } from "../workspace/list-files.ts";
import { ScaffolderInputError, type ScaffolderAction } from "./action.ts";

/** `debug:log`: writes a message, or the workspace's files, into the step's log. */
export function debugLogAction(): ScaffolderAction<{
  message?: string;
  listWorkspace?: boolean;
  extra?: unknown;
}> {
  return {
    id: "debug:log",
    description: "Writes a message into the log, or lists every file in the workspace.",
    schema: {
      input: {
        type: "object",
        properties: {
          message: { type: "string", title: "Message to write" },
          listWorkspace: { type: "boolean", title: "List every file in the workspace" },
          extra: { title: "Anything else, written as JSON" },
        },
      },
    },
    supportsDryRun: true,
    async handler(ctx) {
      if (ctx.input.message) ctx.logger.info(ctx.input.message);
      if (ctx.input.extra !== undefined) ctx.logger.info(JSON.stringify(ctx.input.extra, null, 2));
      if (ctx.input.listWorkspace) {
        const files = (await listWorkspace(ctx.workspacePath)).filter((e) => e.type !== "directory");
        ctx.logger.info(`Workspace:\n${files.map((f) => `  - ${f.path}`).join("\n")}`);
      }
    },
  };
}

/** `debug:wait`: waits, for at most `maxWaitMs` (Backstage's default: 30 s); stops early when the step is. */
export function debugWaitAction(
  options: { maxWaitMs?: number } = {},
): ScaffolderAction<{ minutes?: number; seconds?: number; milliseconds?: number }> {
  const maxWaitMs = options.maxWaitMs ?? 30_000;
  return {
    id: "debug:wait",
    description: "Waits for a while (at most 30 seconds).",
    schema: {
      input: {
        type: "object",
        properties: {
          minutes: { type: "number", minimum: 0 },
          seconds: { type: "number", minimum: 0 },
          milliseconds: { type: "number", minimum: 0 },
        },
      },
    },
    async handler(ctx) {
      const { minutes = 0, seconds = 0, milliseconds = 0 } = ctx.input;
      const ms = minutes * 60_000 + seconds * 1000 + milliseconds;
      if (ms > maxWaitMs) {
        throw new ScaffolderInputError(
          `debug:wait: ${ms} ms is longer than the ${maxWaitMs} ms this action may wait.`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        ctx.signal.addEventListener("abort", done, { once: true });
        function done() {
          clearTimeout(timer);
          ctx.signal.removeEventListener("abort", done);
          resolve();
        }
      });
    },
  };
}
