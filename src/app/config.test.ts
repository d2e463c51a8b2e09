import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineConfigSection } from "../plugins/config-section.ts";
import { checkServingConfig, ConfigError, enabledAdapters, loadConfig } from "./config.ts";

const dir = () => mkdtempSync(join(tmpdir(), "cb-config-"));

describe("loadConfig", () => {
  it("has working defaults with nothing set", () => {
    const config = loadConfig({}, { cwd: dir() });
    expect(config.PORT).toBe(3000);
    expect(config.CALLBOARD_DATA_DIR).toBe("./data");
    expect(config.DATABASE_URL).toBeUndefined();
    expect(enabledAdapters(config).map((module) => module.name)).toEqual(["shell"]);
  });

  it("names the bad key and value", () => {
    expect(() => loadConfig({ PORT: "eighty" }, { cwd: dir() })).toThrow(/PORT="eighty"/);
    expect(() => loadConfig({ DATABASE_URL: "mysql://x" }, { cwd: dir() })).toThrow(
      /DATABASE_URL="mysql:\/\/x": must start with postgresql:\/\//,
    );
  });

  it("never echoes a secret in an error", () => {
    const error = (() => {
      try {
        loadConfig({ MEILISEARCH_URL: "not a url", MEILISEARCH_API_KEY: "" }, { cwd: dir() });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toContain("MEILISEARCH_URL");
  });

  it("hides a database password when the URL is refused", () => {
    expect(() => loadConfig({ DATABASE_URL: "mysql://app:s3cret@db:3306/x" }, { cwd: dir() })).toThrow(
      'DATABASE_URL="mysql://app:***@db:3306/x"',
    );
  });

  it("reads the URL allowlist as hosts and refuses anything else", () => {
    expect(
      loadConfig({ CALLBOARD_READ_ALLOW: "github.com, *.example.com,raw.host:8443" }, { cwd: dir() })
        .CALLBOARD_READ_ALLOW,
    ).toEqual(["github.com", "*.example.com", "raw.host:8443"]);
    expect(() => loadConfig({ CALLBOARD_READ_ALLOW: "https://github.com/x" }, { cwd: dir() })).toThrow(
      /CALLBOARD_READ_ALLOW.*each entry is a host/,
    );
  });

  it("reads the extra local roots as absolute paths and the file size limit as a number of bytes", () => {
    const none = loadConfig({}, { cwd: dir() });
    expect(none.CALLBOARD_LOCAL_ROOTS).toEqual([]);
    expect(none.CALLBOARD_MAX_FILE_BYTES).toBe(2 * 1024 * 1024);
    const set = loadConfig(
      { CALLBOARD_LOCAL_ROOTS: "/srv/specs, /opt/shared ", CALLBOARD_MAX_FILE_BYTES: "65536" },
      { cwd: dir() },
    );
    expect(set.CALLBOARD_LOCAL_ROOTS).toEqual(["/srv/specs", "/opt/shared"]);
    expect(set.CALLBOARD_MAX_FILE_BYTES).toBe(65536);
    expect(() => loadConfig({ CALLBOARD_LOCAL_ROOTS: "/srv/specs,../shared" }, { cwd: dir() })).toThrow(
      /CALLBOARD_LOCAL_ROOTS.*each entry is an absolute path/,
    );
    expect(() => loadConfig({ CALLBOARD_MAX_FILE_BYTES: "lots" }, { cwd: dir() })).toThrow(
      /CALLBOARD_MAX_FILE_BYTES="lots"/,
    );
    expect(() => loadConfig({ CALLBOARD_MAX_FILE_BYTES: "10" }, { cwd: dir() })).toThrow(
      /at least 1024 bytes/,
    );
  });

  it("takes the local roots and the size limit from callboard.yaml, a list or a comma-separated string", () => {
    const cwd = dir();
    writeFileSync(
      join(cwd, "callboard.yaml"),
      "catalog:\n  localRoots:\n    - /srv/specs\n    - /opt/shared\n  maxFileBytes: 4096\n",
    );
    const config = loadConfig({}, { cwd });
    expect(config.CALLBOARD_LOCAL_ROOTS).toEqual(["/srv/specs", "/opt/shared"]);
    expect(config.CALLBOARD_MAX_FILE_BYTES).toBe(4096);
  });

  it("reads callboard.yaml, and the environment wins", () => {
    const cwd = dir();
    writeFileSync(join(cwd, "callboard.yaml"), "http:\n  port: 4000\ncatalog:\n  location: ./org\n");
    expect(loadConfig({}, { cwd }).PORT).toBe(4000);
    expect(loadConfig({}, { cwd }).CALLBOARD_CATALOG).toBe("./org");
    expect(loadConfig({ PORT: "5000" }, { cwd }).PORT).toBe(5000);
  });

  it("reads the file CALLBOARD_CONFIG names, and stops when it is not there", () => {
    const cwd = dir();
    writeFileSync(join(cwd, "staging.yaml"), "http:\n  port: 4100\n");
    expect(loadConfig({ CALLBOARD_CONFIG: "staging.yaml" }, { cwd }).PORT).toBe(4100);
    expect(() => loadConfig({ CALLBOARD_CONFIG: "prod.yaml" }, { cwd })).toThrow(
      /CALLBOARD_CONFIG="prod.yaml": no such file/,
    );
  });

  it("refuses unknown keys and secrets in callboard.yaml", () => {
    const cwd = dir();
    writeFileSync(join(cwd, "callboard.yaml"), "htp:\n  port: 4000\n");
    expect(() => loadConfig({}, { cwd })).toThrow(/unknown key "htp.port"/);
    writeFileSync(join(cwd, "callboard.yaml"), "slack:\n  botToken: xoxb-1\n");
    expect(() => loadConfig({}, { cwd })).toThrow(/unknown key "slack.botToken"/);
  });
});

describe("scaffolder task settings", () => {
  it("reads admins as User and Group refs, a bare name being a User, and refuses other kinds", () => {
    expect(
      loadConfig({ CALLBOARD_ADMINS: "jane, group:default/Platform" }, { cwd: dir() }).CALLBOARD_ADMINS,
    ).toEqual(["user:default/jane", "group:default/platform"]);
    expect(() => loadConfig({ CALLBOARD_ADMINS: "component:default/x" }, { cwd: dir() })).toThrow(
      /CALLBOARD_ADMINS=.*"component:default\/x" is not a User or Group ref/,
    );
  });

  it("wants the heartbeat timeout at least twice the interval, and keeps the secret key out of files", () => {
    expect(() =>
      loadConfig(
        { CALLBOARD_SCAFFOLD_HEARTBEAT_SECONDS: "10", CALLBOARD_SCAFFOLD_HEARTBEAT_TIMEOUT_SECONDS: "15" },
        { cwd: dir() },
      ),
    ).toThrow(/CALLBOARD_SCAFFOLD_HEARTBEAT_TIMEOUT_SECONDS="15": must be at least twice/);
    const folder = dir();
    writeFileSync(join(folder, "callboard.yaml"), "admins: [jane]\nscaffold:\n  concurrency: 0\n");
    expect(loadConfig({}, { cwd: folder })).toMatchObject({
      CALLBOARD_ADMINS: ["user:default/jane"],
      CALLBOARD_SCAFFOLD_CONCURRENCY: 0,
    });
    writeFileSync(join(folder, "callboard.yaml"), "secretKey: x\n");
    expect(() => loadConfig({}, { cwd: folder })).toThrow(/unknown key "secretKey"/);
  });
});

describe("checkServingConfig", () => {
  const slack = { SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s" };

  it("warns, naming CALLBOARD_BASE_URL and what breaks, when Slack or Teams is served without it", () => {
    for (const env of [slack, { TEAMS_ENABLED: "true" }, { MICROSOFT_APP_ID: "app" }]) {
      const [warning, ...rest] = checkServingConfig(loadConfig({ ...env, PORT: "3100" }, { cwd: dir() }));
      expect(rest).toEqual([]);
      expect(warning).toMatch(
        /^CALLBOARD_BASE_URL is not set: links in answers point at http:\/\/localhost:3100/,
      );
      expect(warning).toContain("no preview");
    }
  });

  it("refuses in production, naming the setting", () => {
    expect(() =>
      checkServingConfig(loadConfig({ ...slack, NODE_ENV: "production" }, { cwd: dir() })),
    ).toThrow(ConfigError);
    expect(() =>
      checkServingConfig(loadConfig({ TEAMS_ENABLED: "true", NODE_ENV: "production" }, { cwd: dir() })),
    ).toThrow(/CALLBOARD_BASE_URL.*NODE_ENV=production/);
  });

  it("is content with a base URL, and says nothing for the terminal chat", () => {
    const env = { ...slack, NODE_ENV: "production", CALLBOARD_BASE_URL: "https://callboard.example.com" };
    expect(checkServingConfig(loadConfig(env, { cwd: dir() }))).toEqual([]);
    expect(checkServingConfig(loadConfig({ NODE_ENV: "production" }, { cwd: dir() }))).toEqual([]);
  });
});

describe("loadConfig with a plugin's section", () => {
  const section = defineConfigSection({
    id: "pagerduty",
    schema: z.object({
      PAGERDUTY_SERVICE: z.string().min(1, "names the service"),
      PAGERDUTY_TOKEN: z.string().optional(),
    }),
    yaml: { org: "PAGERDUTY_SERVICE" },
    secrets: ["PAGERDUTY_TOKEN"],
  });

  it("reads it with the core and the catalog sections, from the file under its id and the environment", () => {
    const cwd = dir();
    writeFileSync(join(cwd, "callboard.yaml"), "pagerduty:\n  org: acme\ncatalog:\n  refreshSeconds: 60\n");
    const config = loadConfig({ PAGERDUTY_TOKEN: "pd_1" }, { cwd, sections: [section] });
    expect(config.sections.get("pagerduty")).toEqual({ PAGERDUTY_SERVICE: "acme", PAGERDUTY_TOKEN: "pd_1" });
    expect(config.sections.get("catalog")).toMatchObject({ CALLBOARD_REFRESH_SECONDS: 60 });
    expect(config.CALLBOARD_REFRESH_SECONDS).toBe(60);
  });

  it("stops start-up naming the plugin's key, as for the core's", () => {
    expect(() =>
      loadConfig({ PAGERDUTY_SERVICE: "", PORT: "x" }, { cwd: dir(), sections: [section] }),
    ).toThrow(/PORT="x": .*\n {2}PAGERDUTY_SERVICE="": names the service/);
  });
});
