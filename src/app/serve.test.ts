import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BotConnectorStandIn } from "../../test/fixtures/teams/bot-connector-stand-in.ts";
import { FakeSlackApi } from "../../test/fixtures/slack/fake-slack-api.ts";
import {
  SIGNING_SECRET,
  linkSharedBody,
  nextEventId,
  sendSigned,
  slashCommandBody,
} from "../../test/fixtures/slack/slack-requests.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const tsx = pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href;

/**
 * The whole process as an operator runs it: `npm start` with Slack and Teams configured serves both on
 * one HTTP server, answers a signed slash command through the Slack Web API stand-in and a Teams message
 * through the Bot Connector stand-in, and stops cleanly on SIGTERM.
 */
describe("npm start with Slack and Teams configured", () => {
  const slack = new FakeSlackApi();
  const connector = new BotConnectorStandIn();
  let connectorUrl = "";
  let child: ChildProcess;
  let baseUrl = "";
  const dataDir = mkdtempSync(join(tmpdir(), "cb-serve-"));
  const logs: string[] = [];

  beforeAll(async () => {
    await slack.start();
    connectorUrl = await connector.start();
    child = spawn(process.execPath, ["--import", tsx, join(root, "src/app/main.ts")], {
      cwd: dataDir,
      env: {
        PATH: process.env.PATH,
        CALLBOARD_DATA_DIR: dataDir,
        PORT: "0",
        HOST: "127.0.0.1",
        SLACK_BOT_TOKEN: "xoxb-test-0000-callboard",
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        TEAMS_ENABLED: "true",
        CALLBOARD_BASE_URL: "http://callboard.test",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stderr!.on("data", (chunk) => logs.push(String(chunk)));
    baseUrl = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.on("line", (line) => {
        logs.push(line);
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === "Callboard is serving" && entry.url) resolve(entry.url);
      });
      child.once("exit", (code) => reject(new Error(`exited with ${code}:\n${logs.join("\n")}`)));
    });
  }, 120_000);

  afterAll(async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    await slack.stop();
    await connector.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers a signed Slack slash command through the Web API", async () => {
    const body = slashCommandBody(
      "/callboard",
      "who owns payments-api",
      slack.responseUrl("r1"),
      "13345224609.1",
    );
    const answered = slack.waitFor((call) => call.responseId === "r1", 20_000);
    const sent = await sendSigned(baseUrl, body, "application/x-www-form-urlencoded");
    expect(sent.status).toBe(200);
    expect(JSON.stringify((await answered).args)).toContain("Payments Team");
    expect(slack.violations).toEqual([]);
  });

  it("answers /whoowns, and /scaffold with the templates one can run", async () => {
    const answered = slack.waitFor((call) => call.responseId === "r3", 20_000);
    const whoOwns = slashCommandBody("/whoowns", "payments-api", slack.responseUrl("r3"), "13345224609.3");
    expect((await sendSigned(baseUrl, whoOwns, "application/x-www-form-urlencoded")).status).toBe(200);
    expect(JSON.stringify((await answered).args)).toContain("Payments Team");

    const listed = slack.waitFor((call) => call.responseId === "r4", 20_000);
    const scaffold = slashCommandBody("/scaffold", "", slack.responseUrl("r4"), "13345224609.4");
    expect((await sendSigned(baseUrl, scaffold, "application/x-www-form-urlencoded")).status).toBe(200);
    expect(JSON.stringify((await listed).args)).toContain("Create Node.js service");
  });

  it("unfurls a pasted catalog link, and serves the page it points at", async () => {
    const link = "http://callboard.test/catalog/default/component/payments-api";
    const unfurled = slack.waitFor((call) => call.method === "chat.unfurl", 20_000);
    const body = linkSharedBody([link], {
      channel: "C0PLATFORM",
      messageTs: "1732530000.000100",
      eventId: nextEventId(),
    });
    expect((await sendSigned(baseUrl, body, "application/json")).status).toBe(200);
    const call = await unfurled;
    expect(JSON.stringify(call.args)).toContain("Payments Team");
    const page = await fetch(`${baseUrl}/catalog/default/component/payments-api`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<h1>Payments API</h1>");
  });

  it("refuses an unsigned Slack request", async () => {
    const body = slashCommandBody("/callboard", "help", slack.responseUrl("r2"), "13345224609.2");
    expect(
      (await sendSigned(baseUrl, body, "application/x-www-form-urlencoded", { signature: null })).status,
    ).toBe(401);
  });

  it("survives a signed Slack request whose payload is null, and keeps answering", async () => {
    const hostile = await sendSigned(baseUrl, "payload=null", "application/x-www-form-urlencoded");
    expect(hostile.status).toBe(400);
    expect((await sendSigned(baseUrl, "null", "application/json")).status).toBe(400);
    const answered = slack.waitFor((call) => call.responseId === "r3", 20_000);
    const body = slashCommandBody(
      "/callboard",
      "who owns payments-api",
      slack.responseUrl("r3"),
      "13345224609.3",
    );
    expect((await sendSigned(baseUrl, body, "application/x-www-form-urlencoded")).status).toBe(200);
    expect(JSON.stringify((await answered).args)).toContain("Payments Team");
    expect(child.exitCode).toBeNull();
  });

  it('answers null, [], "x" and {} at every endpoint, signed or not, with a 4xx, and keeps serving', async () => {
    const bodies = ["null", "[]", '"x"', "{}"];
    // Every route the process serves; a body no handler reads (a GET page) must not hurt either.
    const endpoints: Array<{ method: string; path: string; sign: boolean }> = [
      { method: "POST", path: "/slack/events", sign: true },
      { method: "POST", path: "/slack/events", sign: false },
      { method: "POST", path: "/api/messages", sign: false },
      { method: "POST", path: "/catalog/default/component/payments-api", sign: false },
      { method: "GET", path: "/catalog/default/component/payments-api", sign: false },
      { method: "POST", path: "/healthz", sign: false },
    ];
    for (const endpoint of endpoints) {
      for (const raw of bodies) {
        for (const [type, body] of [
          ["application/json", raw],
          ["application/x-www-form-urlencoded", `payload=${encodeURIComponent(raw)}`],
        ] as const) {
          const status = endpoint.sign
            ? (await sendSigned(baseUrl, body, type)).status
            : (
                await fetch(`${baseUrl}${endpoint.path}`, {
                  method: endpoint.method,
                  headers: { "content-type": type },
                  ...(endpoint.method === "GET" ? {} : { body }),
                })
              ).status;
          const what = `${endpoint.method} ${endpoint.path} ${endpoint.sign ? "signed" : "unsigned"} ${type} ${raw}`;
          if (endpoint.method === "GET") expect(status, what).toBe(200);
          else expect(status >= 400 && status < 500, `${what} answered ${status}`).toBe(true);
          expect((await fetch(`${baseUrl}/healthz`)).status, what).toBe(200);
        }
      }
    }
    expect(child.exitCode).toBeNull();
  });

  it("answers a Teams message through the Bot Connector", async () => {
    const activity = JSON.parse(
      readFileSync(join(root, "test/fixtures/teams/message-personal.json"), "utf8"),
    ) as Record<string, unknown>;
    activity.serviceUrl = connectorUrl;
    const replied = connector.waitFor((call) => call.method === "POST", 20_000);
    const response = await fetch(`${baseUrl}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(activity),
    });
    expect(response.status).toBeLessThan(300);
    const call = await replied;
    expect(JSON.stringify(call.body)).toContain("Payments Team");
    expect(call.problems).toEqual([]);
  });

  it("stops cleanly on SIGTERM, and no secret reached the logs", async () => {
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(logs.join("\n")).not.toContain(SIGNING_SECRET);
    expect(logs.join("\n")).not.toContain("xoxb-test-0000-callboard");
  });
});
