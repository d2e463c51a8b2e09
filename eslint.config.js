import js from "@eslint/js";
import tseslint from "typescript-eslint";

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
  {
    // Services stay platform-blind: nothing outside src/bot and src/app may import chat code.
    files: [
      "src/catalog/**",
      "src/scaffold/**",
      "src/docs/**",
      "src/search/**",
      "src/plugins/**",
      "src/message/**",
      "src/text/**",
    ],
    rules: {
      "no-restricted-imports": ["error", { patterns: ["**/bot/**", "@slack/*", "botbuilder*"] }],
    },
  },
  {
    // The GitHub client is a service: no chat code, and no reaching into the composition root.
    files: ["src/github/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: ["**/bot/**", "**/app/*.ts", "@slack/*", "botbuilder*"] },
      ],
    },
  },
);
