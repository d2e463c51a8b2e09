import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  ConfigError,
  commaList,
  defineConfigSection,
  optionalText,
  readSettings,
  readSettingsFile,
} from "./config-section.ts";

const github = defineConfigSection({
  id: "github",
  schema: z.object({
    GITHUB_ORG: optionalText,
    GITHUB_TOPICS: commaList(z.string().regex(/^[a-z0-9-]+$/, "each entry is a topic, e.g. backstage")),
    GITHUB_REFRESH_SECONDS: z.coerce.number().int().min(60, "must be at least 60").default(3600),
    GITHUB_TOKEN: optionalText,
  }),
  yaml: { org: "GITHUB_ORG", "discovery.topics": "GITHUB_TOPICS", refreshSeconds: "GITHUB_REFRESH_SECONDS" },
  secrets: ["GITHUB_TOKEN"],
});

const core = defineConfigSection({
  id: "core",
  yamlAtRoot: true,
  schema: z.object({ PORT: z.coerce.number().int().default(3000) }),
  yaml: { "http.port": "PORT" },
});

function file(yaml: string) {
  const path = join(mkdtempSync(join(tmpdir(), "cb-sections-")), "callboard.yaml");
  writeFileSync(path, yaml);
  return readSettingsFile(path);
}

describe("readSettings", () => {
  it("reads a section from its keys in callboard.yaml, under its id, typed, with defaults", () => {
    const settings = readSettings(
      [core, github],
      {},
      file("http:\n  port: 4000\ngithub:\n  org: acme\n  discovery:\n    topics: [backstage, catalog]\n"),
    );
    expect(settings.sections.get("github")).toEqual({
      GITHUB_ORG: "acme",
      GITHUB_TOPICS: ["backstage", "catalog"],
      GITHUB_REFRESH_SECONDS: 3600,
    });
    expect(settings.values.PORT).toBe(4000);
    expect(settings.sections.get("core")).toEqual({ PORT: 4000 });
  });

  it("lets the environment win over the file", () => {
    const settings = readSettings(
      [core, github],
      { GITHUB_ORG: "acme-env", GITHUB_TOKEN: "ghp_secret" },
      file("github:\n  org: acme-file\n"),
    );
    expect(settings.sections.get("github")).toMatchObject({
      GITHUB_ORG: "acme-env",
      GITHUB_TOKEN: "ghp_secret",
    });
  });

  it("takes secrets only from the environment: a file key for one is refused", () => {
    const leaky = defineConfigSection({ ...github, yaml: { ...github.yaml, token: "GITHUB_TOKEN" } });
    expect(() => readSettings([leaky], {}, file("github:\n  token: ghp_secret\n"))).toThrow(
      /"github.token" is a secret; set GITHUB_TOKEN instead/,
    );
    expect(() => readSettings([github], {}, file("github:\n  token: ghp_secret\n"))).toThrow(
      /unknown key "github.token"/,
    );
  });

  it("stops on bad values in any section, naming each key, where it was set, and never a secret", () => {
    const strict = defineConfigSection({
      ...github,
      schema: github.schema.extend({ GITHUB_TOKEN: z.string().startsWith("ghp_", "must be a GitHub token") }),
    });
    let error: unknown;
    try {
      readSettings(
        [core, strict],
        { PORT: "eighty", GITHUB_TOKEN: "hunter2" },
        file("github:\n  refreshSeconds: 5\n  discovery:\n    topics: Not A Topic\n"),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/PORT="eighty": /);
    expect(message).toMatch(
      /GITHUB_REFRESH_SECONDS="5" \(.*callboard.yaml: github.refreshSeconds\): must be at least 60/,
    );
    expect(message).toMatch(/GITHUB_TOPICS.*each entry is a topic/);
    expect(message).toContain("GITHUB_TOKEN=(hidden): must be a GitHub token");
    expect(message).not.toContain("hunter2");
  });

  it("names every known key, the sections' included, when the file has one nobody knows", () => {
    expect(() => readSettings([core, github], {}, file("gihtub:\n  org: acme\n"))).toThrow(
      /unknown key "gihtub.org". Known keys: http.port, github.org, github.discovery.topics, github.refreshSeconds\./,
    );
  });

  it("refuses two sections that declare one variable, naming both", () => {
    const again = defineConfigSection({
      id: "github-enterprise",
      schema: z.object({ GITHUB_ORG: optionalText }),
    });
    expect(() => readSettings([github, again], {})).toThrow(
      'GITHUB_ORG is declared by configuration sections "github" and "github-enterprise"',
    );
  });
});
