/**
 * The layer rules in eslint.config.js, seen firing: a deliberately wrong import, linted as if it were a file in
 * each folder the rules guard, must be reported, and the imports the layers allow must not be. If a rule
 * stops applying (a renamed folder, a config object that overrides it), this fails.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The no-restricted-imports messages for one import line placed in `file`. */
async function restricted(file: string, source: string): Promise<string[]> {
  const code = `import { thing } from "${source}";\nexport const used = thing;\n`;
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

const refused: Array<[file: string, source: string, because: RegExp]> = [
  // Below the chat core: nothing from src/bot or src/app.
  ["src/db/probe.ts", "../bot/ports.ts", /import nothing from src\/bot/],
  ["src/search/probe.ts", "../app/build-app.ts", /src\/app/],
  ["src/catalog/commands/probe.ts", "../../bot/core/router.ts", /src\/bot/],
  ["src/scaffold/probe.ts", "../bot/core/chat-core.ts", /src\/bot/],
  ["src/docs/probe.ts", "../app/http-server.ts", /src\/app/],
  ["src/state/probe.ts", "../bot/ports.ts", /src\/bot/],
  ["src/plugins/probe.ts", "../bot/core/outbox.ts", /src\/bot/],
  ["src/message/probe.ts", "../bot/slack/mrkdwn.ts", /src\/bot/],
  ["src/catalog/probe.ts", "@slack/web-api", /src\/bot/],
  // The GitHub chat plugin: the public plugin API and the GitHub client only.
  ["src/plugins/github/probe.ts", "../registry.ts", /public plugin API only/],
  ["src/plugins/github/probe.ts", "../../catalog/catalog-view.ts", /public plugin API only/],
  [
    "src/plugins/github/probe.ts",
    "../../../test/fixtures/github/github-stand-in.ts",
    /public plugin API only/,
  ],
  // src/search and src/db serve the services and import none of them.
  ["src/search/probe.ts", "../catalog/catalog-service.ts", /import no service/],
  ["src/search/deeper/probe.ts", "../../catalog/model/ref.ts", /import no service/],
  ["src/db/probe.ts", "../scaffold/tasks.ts", /import no service/],
  ["src/db/probe.ts", "../docs/sections.ts", /import no service/],
  ["src/workers/probe.ts", "../catalog/ingest/yaml-pool.ts", /import no service/],
  ["src/workers/probe.ts", "../bot/core/router.ts", /src\/bot/],
  // Adapters: no Prisma and no search engine.
  ["src/bot/slack/probe.ts", "@prisma/client", /no Prisma/],
  ["src/bot/teams/probe.ts", "../../generated/prisma/sqlite/client.ts", /no Prisma/],
  ["src/bot/shell/probe.ts", "../../db/event-ledger.ts", /no Prisma/],
  ["src/bot/slack/probe.ts", "../../search/embedded-index.ts", /no search engine/],
  ["src/bot/teams/probe.ts", "../../search/search-index.ts", /no search engine/],
  ["src/bot/shell/probe.ts", "meilisearch", /no search engine/],
  ["src/bot/slack/probe.ts", "better-sqlite3", /no database driver/],
  ["src/bot/teams/probe.ts", "pg", /no database driver/],
  // The chat core, like the adapters, works on the ports; src/app gives it the stores.
  ["src/bot/core/probe.ts", "../../db/form-session-store.ts", /no Prisma/],
  ["src/bot/probe.ts", "../search/embedded-index.ts", /no search engine/],
  // A platform that is not one of today's three is held to the same rule.
  ["src/bot/discord/probe.ts", "@prisma/client", /no Prisma/],
];

const allowed: Array<[file: string, source: string]> = [
  ["src/catalog/probe.ts", "../search/search-index.ts"],
  ["src/catalog/probe.ts", "../plugins/api.ts"],
  ["src/search/probe.ts", "../text/grammar.ts"],
  ["src/search/probe.ts", "../plugins/api.ts"],
  ["src/db/probe.ts", "../state/ports.ts"],
  ["src/bot/core/probe.ts", "../../plugins/api.ts"],
  ["src/bot/slack/probe.ts", "../core/adapter.ts"],
  ["src/bot/slack/probe.ts", "../../state/ports.ts"],
  ["src/bot/core/probe.ts", "../../state/ports.ts"],
  ["src/app/probe.ts", "../bot/core/router.ts"],
  ["src/plugins/github/probe.ts", "../api.ts"],
  ["src/plugins/github/probe.ts", "../../github/github-client.ts"],
  ["src/plugins/github/probe.ts", "./age.ts"],
  ["src/app/probe.ts", "../db/open-database.ts"],
  ["src/catalog/ingest/probe.ts", "../../workers/worker-pool.ts"],
  ["src/docs/site/probe.ts", "../../workers/worker-pool.ts"],
];

describe("the layer rules (eslint.config.js)", () => {
  it.each(refused)("refuse, in %s, an import of %s", async (file, source, because) => {
    const messages = await restricted(file, source);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(because);
  });

  it.each(allowed)("allow, in %s, an import of %s", async (file, source) => {
    expect(await restricted(file, source)).toEqual([]);
  });
});
