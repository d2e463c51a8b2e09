import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ADAPTER_MODULES } from "../bot/adapters.ts";

const here = fileURLToPath(new URL(".", import.meta.url));

/**
 * The composition root holds a list of adapters (src/bot/adapters.ts) and knows none of them by name, so a new
 * chat platform is a folder under src/bot and a line in that list, with no edit here. This reads every module
 * of src/app (tests aside) for an adapter's folder, its name, its platform's name or its SDK.
 */
describe("src/app names no adapter", () => {
  const sources = readdirSync(here)
    .filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"))
    .map((name) => ({ name, text: readFileSync(join(here, name), "utf8") }));
  const forbidden = [
    // The terminal, as a capability (an adapter that takes it), is the app's to know; its adapter's name is not.
    ...ADAPTER_MODULES.flatMap((module) =>
      module.usesTerminal ? [module.name] : [module.name, module.label],
    ),
    "microsoft",
    "botbuilder",
    "bolt",
  ];

  it("has modules to read", () => {
    expect(sources.length).toBeGreaterThan(5);
  });

  for (const word of forbidden) {
    it(`mentions no "${word}"`, () => {
      const pattern = new RegExp(`\\b${word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`, "i");
      const found = sources
        .flatMap(({ name, text }) =>
          text.split("\n").map((line, i) => (pattern.test(line) ? `${name}:${i + 1}: ${line.trim()}` : "")),
        )
        .filter(Boolean);
      expect(found).toEqual([]);
    });
  }
});
