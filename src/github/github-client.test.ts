import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GitHubStandIn } from "../../test/fixtures/github/github-stand-in.ts";
import { githubSettings, GitHubConfigError } from "./github-config.ts";
import { GitHubClient } from "./github-client.ts";

let github: GitHubStandIn;
let token: string;
let dir: string;

beforeAll(async () => {
  github = await new GitHubStandIn().start();
  github.state.addOrganization("acme", { members: ["alice"] });
  token = github.state.createToken("alice");
  await github.state.createRepository("acme", "payments");
  dir = await mkdtemp(join(tmpdir(), "github-client-"));
});

afterAll(async () => {
  await github.close();
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  expect(github.violations.splice(0)).toEqual([]);
});

function capturingLog() {
  const lines: string[] = [];
  const log = pino({ level: "trace" }, { write: (line: string) => void lines.push(line) });
  return { log, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("GitHubClient with a token", () => {
  it("logs each request's remaining budget, and never the token", async () => {
    const { log, lines, records } = capturingLog();
    const client = new GitHubClient({ apiUrl: github.urls.api, host: github.host, token }, { log });
    const { octokit } = await client.forOwner("acme");
    await octokit.rest.repos.get({ owner: "acme", repo: "payments" });
    const failure = await octokit.rest.repos.get({ owner: "acme", repo: "nothing" }).catch((e: unknown) => e);
    const described = client.describeError(failure, "reading acme/nothing");
    expect(described.message).toBe(
      "GitHub answered 404 to GET /repos/acme/nothing while reading acme/nothing: Not Found",
    );

    const budget = records().filter((r) => r.msg === "GitHub request");
    expect(budget).toHaveLength(2);
    expect(budget[0]).toMatchObject({ url: "/repos/acme/payments", status: 200, rateLimitLimit: 5000 });
    expect(budget[1]!.rateLimitRemaining).toBe((budget[0]!.rateLimitRemaining as number) - 1);
    expect(lines.join("\n")).not.toContain(token);
    expect(`${described.message} ${described.stack}`).not.toContain(token);
  });

  it("waits out a secondary rate limit for as long as Retry-After says, then retries", async () => {
    const { log, records } = capturingLog();
    const client = new GitHubClient({ apiUrl: github.urls.api, host: github.host, token }, { log });
    const { octokit } = await client.forOwner("acme");
    github.limitNext({ kind: "secondary", retryAfterSeconds: 1 });
    const before = github.requests.length;
    const { data } = await octokit.rest.repos.get({ owner: "acme", repo: "payments" });
    expect(data.name).toBe("payments");
    expect(github.requests.slice(before).map((r) => r.status)).toEqual([403, 200]);
    expect(records().find((r) => r.level === 40)).toMatchObject({
      msg: "GitHub secondary rate limit reached; waiting 1 s before retrying",
      retryAfterSeconds: 1,
    });
  });

  it("waits for the primary budget to reset (429, x-ratelimit-remaining 0), then retries", async () => {
    const { log, records } = capturingLog();
    const client = new GitHubClient({ apiUrl: github.urls.api, host: github.host, token }, { log });
    const { octokit } = await client.forOwner("acme");
    github.limitNext({ kind: "primary", status: 429, retryAfterSeconds: 1 });
    const before = github.requests.length;
    await octokit.rest.repos.get({ owner: "acme", repo: "payments" });
    expect(github.requests.slice(before).map((r) => r.status)).toEqual([429, 200]);
    expect(String(records().find((r) => r.level === 40)?.msg)).toMatch(
      /^GitHub primary rate limit reached; waiting \d s/,
    );
  });

  it("gives up after the configured number of retries, with GitHub's words", async () => {
    const { log } = capturingLog();
    const client = new GitHubClient(
      { apiUrl: github.urls.api, host: github.host, token },
      { log, rateLimitRetries: 0 },
    );
    const { octokit } = await client.forOwner("acme");
    github.limitNext({ kind: "secondary", retryAfterSeconds: 1 });
    const error = await octokit.rest.repos.get({ owner: "acme", repo: "payments" }).catch((e: unknown) => e);
    expect(client.describeError(error, "reading acme/payments").message).toMatch(
      /^GitHub answered 403 to GET \/repos\/acme\/payments while reading acme\/payments: You have exceeded a secondary rate limit/,
    );
  });
});

describe("GitHubClient with a GitHub App", () => {
  it("acts for each owner through that owner's installation, and logs neither key nor tokens", async () => {
    const gh = github.state.addApp();
    github.state.addOrganization("appco");
    github.state.addInstallation(gh.id, "appco");
    await github.state.createRepository("appco", "one");
    const { log, lines } = capturingLog();
    const client = new GitHubClient(
      { apiUrl: github.urls.api, host: github.host, app: { appId: gh.id, privateKey: gh.privateKey } },
      { log },
    );
    const session = await client.forOwner("AppCo");
    const { data } = await session.octokit.rest.repos.get({ owner: "appco", repo: "one" });
    expect(data.full_name).toBe("appco/one");
    const gitToken = await session.gitToken();
    expect(gitToken).toMatch(/^ghs_/);
    expect(session.actingAs).toMatch(/^installation \d+ of the GitHub App/);

    await expect(client.forOwner("acme")).rejects.toThrow(
      `The GitHub App ${gh.id} is not installed on acme. Install it on that account, or set GITHUB_APP_INSTALLATION_ID.`,
    );
    const seen = [];
    for await (const { account } of client.eachInstallation()) seen.push(account);
    expect(seen).toEqual(["appco"]);

    const logged = lines.join("\n");
    expect(logged).not.toContain(gitToken);
    for (const line of gh.privateKey.split("\n").filter((l) => l.length > 20))
      expect(logged).not.toContain(line);
    expect(client.redact(`token ${gitToken} key ${gh.privateKey}`)).toBe("token *** key ***\n");
  });
});

describe("githubSettings", () => {
  it("is undefined when GitHub is not configured, and names the setting that is missing", () => {
    expect(githubSettings({})).toBeUndefined();
    expect(githubSettings({ GITHUB_TOKEN: "ghp_x" })).toEqual({
      apiUrl: "https://api.github.com",
      host: "github.com",
      token: "ghp_x",
    });
    expect(
      githubSettings({ GITHUB_TOKEN: "t", GITHUB_API_URL: "https://ghe.example.com/api/v3" })?.host,
    ).toBe("ghe.example.com");
    expect(() => githubSettings({ GITHUB_APP_ID: 12 })).toThrow(
      /GITHUB_APP_PRIVATE_KEY or GITHUB_APP_PRIVATE_KEY_FILE/,
    );
    expect(() => githubSettings({ GITHUB_APP_PRIVATE_KEY: "x" })).toThrow(/GITHUB_APP_ID/);
  });

  it("reads the App's key from a file, and never quotes a key that is not PEM", async () => {
    const gh = github.state.addApp("keyfile");
    const file = join(dir, "app.pem");
    await writeFile(file, gh.privateKey);
    expect(githubSettings({ GITHUB_APP_ID: gh.id, GITHUB_APP_PRIVATE_KEY_FILE: file })?.app?.privateKey).toBe(
      gh.privateKey,
    );
    const oneLine = gh.privateKey.trim().replace(/\n/g, "\\n");
    expect(githubSettings({ GITHUB_APP_ID: gh.id, GITHUB_APP_PRIVATE_KEY: oneLine })?.app?.privateKey).toBe(
      gh.privateKey,
    );

    const secretish = "not-a-key-but-secret-material-123456";
    const error = (() => {
      try {
        githubSettings({ GITHUB_APP_ID: 1, GITHUB_APP_PRIVATE_KEY: secretish });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(GitHubConfigError);
    expect(error?.message).toBe(
      "GITHUB_APP_PRIVATE_KEY is not a PEM private key; use the .pem file GitHub gave for the App.",
    );
    expect(() =>
      githubSettings({ GITHUB_APP_ID: 1, GITHUB_APP_PRIVATE_KEY_FILE: join(dir, "none.pem") }),
    ).toThrow(/GITHUB_APP_PRIVATE_KEY_FILE=".*none.pem": cannot read it \(ENOENT\)/);
  });
});
