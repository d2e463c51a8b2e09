import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import pino from "pino";
import { buildApp, EXAMPLE_CATALOG } from "./build-app.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { count } from "../text/grammar.ts";
import { formatImportSummary, formatProblem } from "../catalog/import-summary.ts";
import { createLogger } from "./logger.ts";
import { runScaffoldCli, SCAFFOLD_USAGE } from "../scaffold/cli/scaffold-cli.ts";

const USAGE = `Usage: npm run callboard -- <command>

  import <folder|file|url>   read descriptor files and store them; prints what changed and every problem
  remove <folder|file|url>   forget a location and everything it produced
  locations                  list stored locations with their entity counts and problems
  reindex                    rebuild the search index from every index source (the catalog's entities first)
  audit                      who imported or removed what, most recent first
${SCAFFOLD_USAGE}
                             --user user:default/jane says who runs it (default: the catalog User
                             matching CALLBOARD_USER_EMAIL)
  help                       this text (also --help, -h)

Every command takes --config <file>: the settings file to read (as CALLBOARD_CONFIG).

Exit code: 0 clean, 1 when an import reported problems (notes do not count) or a template did not complete,
2 on a usage or configuration error.`;

async function main(): Promise<number> {
  const { positionals, values } = parseOptions();
  const [command, target] = positionals;
  if (values.help || !command || command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return command || values.help ? 0 : 2;
  }
  const config = loadConfig(process.env, values.config ? { file: values.config } : {});
  const log = createLogger(config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL, pino.destination(2));
  const app = await buildApp(config, log, { skipImport: true });
  const actor = `cli:${userInfo().username}`;
  try {
    switch (command) {
      case "import": {
        if (!target)
          throw new UsageError("import needs a folder, file or URL: npm run callboard -- import ./catalog");
        const report = await app.importLocation(target, actor);
        process.stdout.write(`${formatImportSummary(report)}\n`);
        return report.problems.length > 0 ? 1 : 0;
      }
      case "remove": {
        if (!target)
          throw new UsageError(
            "remove needs the location you imported: npm run callboard -- remove ./catalog",
          );
        const result = await app.removeLocation(target, actor);
        process.stdout.write(
          `Removed ${result.locationKey}: ${count(result.removed.length, "entity", "entities")}.\n`,
        );
        return 0;
      }
      case "locations": {
        for (const location of await app.catalog.locations()) {
          process.stdout.write(
            `${location.key}  ${count(location.entityCount, "entity", "entities")}, imported ${location.importedAt.toISOString()}\n`,
          );
          for (const problem of location.problems) process.stdout.write(`  ! ${formatProblem(problem)}\n`);
          for (const note of location.notes) process.stdout.write(`  note: ${formatProblem(note)}\n`);
        }
        return 0;
      }
      case "audit": {
        for (const entry of await app.audit.recent({ limit: 50 })) {
          process.stdout.write(
            `${entry.at.toISOString()}  ${entry.actor}  ${entry.action}  ${entry.detail ?? ""}\n`,
          );
        }
        return 0;
      }
      case "reindex": {
        const started = performance.now();
        const documents = await app.reindex();
        process.stdout.write(
          `Search index rebuilt: ${count(documents, "document")} in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`,
        );
        return 0;
      }
      case "scaffold": {
        if (!target) {
          throw new UsageError(
            "scaffold needs a template: npm run callboard -- scaffold examples/acme/templates/node-service/template.yaml --values values.yaml --dry-run",
          );
        }
        // `npm start` imports the configured catalog (the example organisation by default) into an empty
        // database; a first `callboard scaffold` before it found no templates and no groups to approve.
        if ((await app.catalog.locations()).length === 0) {
          const report = await app.importLocation(startCatalog(config), actor);
          process.stderr.write(`The catalog was empty. ${formatImportSummary(report, { brief: true })}\n`);
        }
        // Who runs it, for ${{ user.ref }}: --user, or the catalog User matching CALLBOARD_USER_EMAIL.
        const me = await app.router.identify({
          surface: "cli",
          id: userInfo().username,
          email: process.env.CALLBOARD_USER_EMAIL,
        });
        const ref = values.user ?? me.catalogRef;
        return await runScaffoldCli(
          {
            template: target,
            ...(values.values ? { valuesFile: values.values } : {}),
            ...(values.secrets ? { secretsFile: values.secrets } : {}),
            dryRun: values["dry-run"] === true,
            ...(ref ? { user: { ref, entity: app.catalog.graph.get(ref) } } : {}),
            audit: (entry) => app.audit.append({ actor: ref ?? actor, ...entry }),
          },
          app.scaffolder,
          (text) => process.stdout.write(text),
        );
      }
      default:
        throw new UsageError(`Unknown command "${command}".\n\n${USAGE}`);
    }
  } finally {
    await app.close();
  }
}

class UsageError extends Error {}

/** What start-up imports into an empty catalog: the configured catalog, else the example organisation. */
function startCatalog(config: { CALLBOARD_CATALOG?: string | undefined }): string {
  return config.CALLBOARD_CATALOG ?? EXAMPLE_CATALOG;
}

/** The command line; an option it does not know is a usage error (exit 2, with the usage), like any other. */
function parseOptions() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        config: { type: "string" },
        help: { type: "boolean", short: "h" },
        values: { type: "string" },
        secrets: { type: "string" },
        "dry-run": { type: "boolean" },
        user: { type: "string" },
      },
    });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`callboard: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = error instanceof UsageError || error instanceof ConfigError ? 2 : 1;
  },
);
