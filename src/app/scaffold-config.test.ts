import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

const dir = () => mkdtempSync(join(tmpdir(), "cb-config-"));

describe("scaffolder settings", () => {
  it("default to the example templates only and a ten-minute step limit", () => {
    const config = loadConfig({}, { cwd: dir() });
    expect(config.CALLBOARD_SCAFFOLD_TRUSTED).toBeUndefined();
    expect(config.CALLBOARD_SCAFFOLD_STEP_TIMEOUT_SECONDS).toBe(600);
  });

  it("read trusted locations as a list, from the environment or callboard.yaml", () => {
    expect(
      loadConfig(
        { CALLBOARD_SCAFFOLD_TRUSTED: "./templates, https://git.acme.test/templates" },
        { cwd: dir() },
      ).CALLBOARD_SCAFFOLD_TRUSTED,
    ).toEqual(["./templates", "https://git.acme.test/templates"]);
    const cwd = dir();
    writeFileSync(
      join(cwd, "callboard.yaml"),
      "scaffold:\n  trustedLocations:\n    - ./templates\n    - ../shared/templates\n  stepTimeoutSeconds: 30\n",
    );
    const config = loadConfig({}, { cwd });
    expect(config.CALLBOARD_SCAFFOLD_TRUSTED).toEqual(["./templates", "../shared/templates"]);
    expect(config.CALLBOARD_SCAFFOLD_STEP_TIMEOUT_SECONDS).toBe(30);
  });

  it("refuse a step limit that is not a number of seconds", () => {
    expect(() => loadConfig({ CALLBOARD_SCAFFOLD_STEP_TIMEOUT_SECONDS: "soon" }, { cwd: dir() })).toThrow(
      /CALLBOARD_SCAFFOLD_STEP_TIMEOUT_SECONDS="soon"/,
    );
  });
});
