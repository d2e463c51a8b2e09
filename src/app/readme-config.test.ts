import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fileKeys } from "../plugins/config-section.ts";
import { BUILT_IN_SECTIONS } from "./config.ts";

/** Settings read outside the sections: the settings file itself. */
const ALSO_READ = ["CALLBOARD_CONFIG"];

/** README.md's configuration table: each row's variables and callboard.yaml keys. */
function table(): Array<{ variables: string[]; yamlKeys: string[] }> {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("## Configuration"));
  const rows = section.split("\n").filter((line) => /^\| `[A-Z]/.test(line));
  const names = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
  return rows.map((row) => {
    const [variables = "", yamlKeys = ""] = row.split("|").slice(1);
    return { variables: names(variables), yamlKeys: names(yamlKeys) };
  });
}

// Every section Callboard reads: the core's and each built-in plugin's and adapter's.
describe("README.md's configuration table", () => {
  const rows = table();
  const documented = rows.flatMap((r) => r.variables);

  it("lists every setting of every section Callboard reads, and nothing else", () => {
    const known = [...BUILT_IN_SECTIONS.flatMap((s) => Object.keys(s.schema.shape)), ...ALSO_READ];
    expect([...documented].sort()).toEqual([...known].sort());
  });

  it("gives each callboard.yaml key, under its section, on the row of the variable it sets", () => {
    const keys = fileKeys(BUILT_IN_SECTIONS);
    for (const [yamlKey, { variable }] of keys) {
      const row = rows.find((r) => r.variables.includes(variable));
      expect(row?.yamlKeys, `${yamlKey} → ${variable}`).toContain(yamlKey);
    }
    const yamlDocumented = rows.flatMap((r) => r.yamlKeys).sort();
    expect(yamlDocumented).toEqual([...keys.keys()].sort());
  });
});
