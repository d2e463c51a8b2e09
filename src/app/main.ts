import { parseArgs } from "node:util";
import { loadConfig } from "./config.ts";
import { startCallboard } from "./start.ts";
import { describeStartupFailure } from "./startup-failure.ts";

const USAGE = `Usage: npm start -- [--catalog <folder|file|url>] [--config <callboard.yaml>]

Starts Callboard. With a chat platform configured it serves it over HTTP; otherwise it
opens the terminal chat. Piped input is read as one command a line.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      catalog: { type: "string" },
      config: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const env = { ...process.env };
  if (values.catalog) env.CALLBOARD_CATALOG = values.catalog;
  const config = loadConfig(env, values.config ? { file: values.config } : {});
  await startCallboard(config);
}

main().catch((error: unknown) => {
  process.stderr.write(`callboard: ${describeStartupFailure(error)}\n`);
  process.exitCode = 1;
});
