import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { githubSettings } from "../github/github-config.ts";
import { ConfigError, loadConfig } from "./config.ts";

const dir = () => mkdtempSync(join(tmpdir(), "cb-github-config-"));

describe("GitHub settings in the configuration", () => {
  it("come from the environment and callboard.yaml, the key file and API URL by their yaml keys", () => {
    const cwd = dir();
    writeFileSync(
      join(cwd, "callboard.yaml"),
      "github:\n  apiUrl: https://ghe.example.com/api/v3/\n  app:\n    id: 42\n    installationId: 7\n    privateKeyFile: /run/secrets/app.pem\n",
    );
    const config = loadConfig({ GITHUB_TOKEN: "ghp_from_env" }, { cwd });
    expect(config).toMatchObject({
      GITHUB_API_URL: "https://ghe.example.com/api/v3",
      GITHUB_APP_ID: 42,
      GITHUB_APP_INSTALLATION_ID: 7,
      GITHUB_APP_PRIVATE_KEY_FILE: "/run/secrets/app.pem",
      GITHUB_TOKEN: "ghp_from_env",
    });
    expect(
      githubSettings({ GITHUB_TOKEN: config.GITHUB_TOKEN, GITHUB_API_URL: config.GITHUB_API_URL })?.host,
    ).toBe("ghe.example.com");
  });

  it("keeps the token and the private key out of callboard.yaml, and never echoes them", () => {
    const cwd = dir();
    writeFileSync(join(cwd, "callboard.yaml"), "github:\n  token: ghp_in_a_file\n");
    expect(() => loadConfig({}, { cwd })).toThrow(/unknown key "github.token"/);
    const error = (() => {
      try {
        loadConfig({ GITHUB_APP_ID: "forty-two", GITHUB_TOKEN: "ghp_secret_value" }, { cwd: dir() });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toContain('GITHUB_APP_ID="forty-two": must be a number');
    expect(error?.message).not.toContain("ghp_secret_value");
  });
});
