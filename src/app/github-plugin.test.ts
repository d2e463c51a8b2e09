/**
 * The GitHub chat plugin end to end: Callboard built from its configuration (a token and the API URL of the
 * GitHub stand-in), a catalog imported from files, and the terminal chat asking `prs` of a repository with
 * thousands of open pull requests, pressing the buttons the answer offers.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeActionPayload } from "../bot/core/action-codec.ts";
import { createShellAdapter } from "../bot/shell/shell-adapter.ts";
import { messageRenderer } from "../bot/slack/render-blocks.ts";
import { cardBytes, replyRenderer, TEAMS_MESSAGE_BYTE_LIMIT } from "../bot/teams/render-card.ts";
import { adaptiveCardErrors } from "../../test/fixtures/teams/card-validator.ts";
import { addPulls, addReview } from "../../test/fixtures/github/chat-state.ts";
import { GitHubStandIn } from "../../test/fixtures/github/github-stand-in.ts";
import { MemoryConversationStore, MemoryEventLedger } from "../../test/fixtures/memory-ports.ts";
import { buildApp, type App } from "./build-app.ts";
import { loadConfig } from "./config.ts";

let github: GitHubStandIn;
let app: App;
let token: string;
let dir: string;
const logLines: string[] = [];

beforeAll(async () => {
  github = await new GitHubStandIn().start();
  github.state.addOrganization("acme", { members: ["alice", "bob"] });
  token = github.state.createToken("alice");
  const repo = await github.state.createRepository("acme", "payments-api");
  const pulls = addPulls(github.state, repo, 2000, { author: github.state.findAccount("bob")! });
  addReview(github.state, pulls.at(-1)!, { user: github.state.findAccount("alice")!, state: "APPROVED" });

  dir = mkdtempSync(join(tmpdir(), "cb-github-plugin-"));
  mkdirSync(join(dir, "org"));
  writeFileSync(
    join(dir, "org", "catalog-info.yaml"),
    [
      "apiVersion: backstage.io/v1alpha1",
      "kind: Component",
      "metadata:",
      "  name: payments-api",
      "  annotations:",
      "    github.com/project-slug: acme/payments-api",
      "spec:",
      "  type: service",
      "  lifecycle: production",
      "  owner: team-payments",
      "---",
      "apiVersion: backstage.io/v1alpha1",
      "kind: Component",
      "metadata:",
      "  name: ledger",
      "spec:",
      "  type: service",
      "  lifecycle: production",
      "  owner: team-payments",
      "",
    ].join("\n"),
  );
  const config = loadConfig(
    {
      CALLBOARD_DATA_DIR: join(dir, "data"),
      GITHUB_TOKEN: token,
      GITHUB_API_URL: github.urls.api,
      LOG_LEVEL: "debug",
    },
    { cwd: dir },
  );
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  app = await buildApp(config, pino({ level: "debug" }, sink), { skipImport: true });
  const report = await app.importLocation(join(dir, "org"), "test");
  expect(report.problems).toEqual([]);
});

afterAll(async () => {
  await app?.close();
  await github?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function shell(script: string): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = "";
  output.on("data", (chunk) => (printed += String(chunk)));
  const adapter = createShellAdapter(
    { input, output, interactive: false, user: { surface: "shell", id: "me" } },
    {
      core: app.core,
      ledger: new MemoryEventLedger(),
      conversations: new MemoryConversationStore(),
      log: app.log,
      baseUrl: "http://localhost:3000",
      production: false,
    },
  );
  await adapter.start();
  input.end(script);
  await adapter.finished;
  return printed;
}

describe("the GitHub plugin through the terminal chat", () => {
  it("lists thousands of pull requests a page at a time, the rest of a page behind Show more", async () => {
    // The answer, Show more (the 26th button, after 25 pull requests' Checks), then More pull requests.
    const printed = await shell("prs payments api\n26\n6\n");
    const answers = printed.split("\n\n").filter(Boolean);
    expect(answers).toHaveLength(3);
    const [first, rest, next] = answers as [string, string, string];
    expect(first).toMatch(/^Open pull requests in acme\/payments-api\n/);
    expect(first).toContain("(payments-api · newest first · 1–30, more on the next page)");
    expect(first).toMatch(
      /#2000 Change 2000 <http:\/\/127\.0\.0\.1:\d+\/acme\/payments-api\/pull\/2000>\napproved \(@alice\) · by @bob · opened /,
    );
    expect(first).toContain("[1] Checks #2000: checks component:default/payments-api #2000");
    expect(first).toMatch(/\[26\] Show more$/);
    expect(rest).toMatch(/^#1975 Change 1975 /);
    expect(rest).toContain("[6] More pull requests: prs component:default/payments-api --page 2");
    expect(next).toContain("(payments-api · newest first · 31–60, more on the next page)");
    expect(next).toContain("#1970 Change 1970 ");
    expect(github.violations.splice(0)).toEqual([]);
  });

  it("on Slack, a page of 30 pull requests is cut at Slack's 50 blocks, the rest a Show more away", async () => {
    const inbound = {
      user: { surface: "slack", id: "U1" },
      conversation: { surface: "slack" },
    };
    const answer = await app.core.message({ ...inbound, text: "prs payments-api" });
    const first = await app.core.fit(answer, messageRenderer());
    expect(first.blocks).toHaveLength(50);
    const more = first.blocks.at(-1) as { elements: Array<{ text: { text: string }; value: string }> };
    expect(more.elements[0]!.text.text).toBe("Show more");
    const payload = decodeActionPayload(more.elements[0]!.value);
    if (!payload || !("continuation" in payload)) throw new Error("expected a continuation");
    const rest = await app.core.press(payload, inbound);
    if (rest.kind !== "reply") throw new Error("expected the rest of the answer");
    const second = await app.core.fit(rest.reply, messageRenderer());
    const shown = JSON.stringify([...first.blocks, ...second.blocks]);
    // Every pull request of the page, and the way on to the next page, across the two messages.
    for (const n of [2000, 1990, 1971]) expect(shown).toContain(`/pull/${n}`);
    expect(shown).toContain("More pull requests");
  });

  it("on Teams, each answer is a valid Adaptive Card within Teams' message size", async () => {
    const inbound = { user: { surface: "teams", id: "aad-1" }, conversation: { surface: "teams" } };
    for (const line of [
      "prs payments-api",
      "repo payments-api",
      "ci payments-api",
      "checks payments-api #2000",
    ]) {
      const card = await app.core.fit(await app.core.message({ ...inbound, text: line }), replyRenderer());
      expect(adaptiveCardErrors(card)).toEqual([]);
      expect(cardBytes(card)).toBeLessThanOrEqual(TEAMS_MESSAGE_BYTE_LIMIT);
    }
  });

  it("says what to add to a component without the annotation, and takes a typo as meant, saying so", async () => {
    const printed = await shell("repo ledger\nci paymnts-api\n");
    expect(printed).toContain("ledger has no github.com/project-slug annotation");
    expect(printed).toContain(
      "Add github.com/project-slug: <owner>/<repository> under metadata.annotations in its descriptor, catalog-info.yaml:12.",
    );
    // As every catalog command does with the search's typo tolerance.
    expect(printed).toContain(
      '(Showing payments-api for "paymnts-api".)\nacme/payments-api has no GitHub Actions workflows.',
    );
  });

  it("asks through the github form: a component without the annotation is refused, and it answers as chosen", async () => {
    // `github ledger` fills in ledger; Enter keeps it, and the page comes back with the field's error.
    const printed = await shell("github ledger\n\nrepo\npayments-api\nrepo\n");
    expect(printed).toContain(
      "A component on GitHub\n(Enter keeps the value in [brackets]; :back goes to the previous page",
    );
    expect(printed).toContain("-- What to show (page 1 of 1) --");
    expect(printed).toContain(
      "! ledger has no github.com/project-slug annotation: add one to catalog-info.yaml:12, or pick another component.",
    );
    expect(printed).toContain("acme/payments-api\n=================\nThe repository of payments-api.");
    expect(printed).toContain("Open issues and pull requests: 2000");
  });

  it("never shows the token, in answers or in the log, where each request's budget is", async () => {
    const printed = await shell("repo payments-api\nci payments-api\n");
    expect(printed).toContain("acme/payments-api");
    expect(printed).not.toContain(token);
    const log = logLines.join("");
    expect(log).not.toContain(token);
    expect(log).toMatch(/"msg":"GitHub request"/);
    expect(log).toMatch(/"rateLimitRemaining":\d+/);
  });
});
