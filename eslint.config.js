import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * The layers (docs/architecture.md): adapters (src/bot/<platform>) → chat core (src/bot) → plugin API
 * (src/plugins) → services (src/catalog, src/scaffold, src/docs, src/github) → search (src/search) → state (src/db). An
 * import may only point down. test/layering.test.ts lints a wrong import into each folder, so these rules cannot
 * silently stop applying.
 */
const chat = {
  group: ["**/bot", "**/bot/**", "**/app", "**/app/**", "@slack/*", "botbuilder*"],
  message:
    "Below the chat core: import nothing from src/bot (adapters, chat core) or src/app (the composition root).",
};
const services = {
  group: ["**/catalog", "**/catalog/**", "**/scaffold", "**/scaffold/**", "**/docs", "**/docs/**"],
  message:
    "src/search, src/db and src/workers serve the services: they import no service (catalog, scaffold, docs).",
};
const storage = {
  group: [
    "@prisma/*",
    "**/generated/**",
    "**/db",
    "**/db/**",
    "**/search",
    "**/search/**",
    // The drivers and engines themselves, so the rule cannot be stepped around by importing them directly.
    "better-sqlite3",
    "pg",
    "meilisearch",
  ],
  message:
    "Adapters and the chat core reach state and search only through the ports (src/state, the plugin API): no Prisma (src/db, src/generated), no database driver and no search engine (src/search, meilisearch).",
};
/** The GitHub chat plugin is the worked example of a plugin: the plugin API and the GitHub client, nothing else. */
const pluginApiOnly = {
  regex: String.raw`^\.\./(?!api\.ts$|\.\./)|^\.\./\.\./(?!github/)`,
  message:
    "src/plugins/github is built on the public plugin API only: import ../api.ts (and the GitHub client, ../../github/), not the registry, services or the chat core.",
};
const restrict = (...patterns) => ({ "no-restricted-imports": ["error", { patterns }] });

export const LAYER_RULES = [
  {
    files: [
      "src/db/**",
      "src/search/**",
      "src/catalog/**",
      "src/scaffold/**",
      "src/docs/**",
      "src/github/**",
      "src/state/**",
      "src/plugins/**",
      "src/message/**",
      "src/text/**",
      "src/workers/**",
    ],
    rules: restrict(chat),
  },
  // One config object per file set: a later object's setting of a rule replaces an earlier one's.
  { files: ["src/search/**", "src/db/**", "src/workers/**"], rules: restrict(chat, services) },
  // Every adapter folder and the chat core (src/bot/core, the router); the composition root wires the stores.
  { files: ["src/bot/**"], rules: restrict(storage) },
  // Its tests may reach the stand-ins under test/; they keep the rule above.
  { files: ["src/plugins/github/**"], ignores: ["**/*.test.ts"], rules: restrict(chat, pluginApiOnly) },
];

export default tseslint.config(
  // Template skeletons are templates (`${{ }}` inside JavaScript), not code to lint.
  { ignores: ["node_modules/", "src/generated/", "data/", "coverage/", "examples/*/templates/*/skeleton/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  ...LAYER_RULES,
);
