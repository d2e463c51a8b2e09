/* eslint-disable @typescript-eslint/no-explicit-any -- cards and invoke bodies from the wire are inspected loosely in assertions */
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BotConnectorStandIn } from "../../test/fixtures/teams/bot-connector-stand-in.ts";
import { adaptiveCardErrors } from "../../test/fixtures/teams/card-validator.ts";
import { ALICE } from "../../test/fixtures/teams/harness.ts";
import { buildApp, type App } from "./build-app.ts";
import { enabledAdapters, loadConfig } from "./config.ts";
import { serve, type Serving } from "./serve.ts";

const FIXTURES = new URL("../../test/fixtures/teams/", import.meta.url);

/**
 * Scaffolding as a person does it in Teams, against the Bot Connector stand-in and the whole app: `scaffold
 * node-service` answers with a button that opens the form as a dialog (task/fetch), each page is a task/submit
 * answered with the next card (Back keeps what was typed), the review, Create; the dialog closes, the progress
 * is one message in the conversation, updated in place (PUT) until it shows the output; the repository exists
 * and `who owns` answers for the new component.
 */
describe("scaffolding from Teams, end to end", () => {
  const connector = new BotConnectorStandIn();
  const dataDir = mkdtempSync(join(tmpdir(), "cb-scaffold-teams-"));
  let serviceUrl = "";
  let app: App;
  let serving: Serving;
  let base = "";

  const fixture = (name: string, overrides: Record<string, unknown> = {}) => ({
    ...(JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), "utf8")) as Record<string, unknown>),
    id: randomUUID(),
    serviceUrl,
    ...overrides,
  });
  async function post(activity: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${base}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(activity),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
  const submitPage = (data: Record<string, unknown>) =>
    post(fixture("invoke-task-submit", { value: { type: "task/submit", data } }));
  const cardOf = (body: any) => body.task.value.card.content;

  beforeAll(async () => {
    serviceUrl = await connector.start();
    connector.members.set(ALICE.id, ALICE);
    const config = loadConfig(
      {
        CALLBOARD_DATA_DIR: dataDir,
        PORT: "0",
        HOST: "127.0.0.1",
        TEAMS_ENABLED: "true",
        CALLBOARD_BASE_URL: "http://callboard.test",
        CALLBOARD_SCAFFOLD_HEARTBEAT_SECONDS: "0.5",
        CALLBOARD_SCAFFOLD_HEARTBEAT_TIMEOUT_SECONDS: "5",
      },
      { cwd: dataDir },
    );
    app = await buildApp(config, pino({ level: "silent" }));
    serving = await serve(app, enabledAdapters(config));
    app.startTaskWorker();
    base = serving.http!.url;
  }, 60_000);

  afterAll(async () => {
    await serving?.stop();
    await app?.close();
    await connector.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("runs node-service from a message through dialog pages to a registered component", async () => {
    await post(fixture("message-personal", { text: "scaffold node-service" }));
    const offered = await connector.waitFor((c) => JSON.stringify(c.body).includes("Open Node.js service"));
    const button = (offered.body.attachments as any[])[0].content.body
      .flatMap((e: any) => e.actions ?? [])
      .find((a: any) => a.title === "Open Node.js service");

    const fetched = await post(
      fixture("invoke-task-fetch", { value: { type: "task/fetch", data: button.data } }),
    );
    let card = cardOf(fetched.body);
    expect(adaptiveCardErrors(card)).toEqual([]);
    // The owner picker opens with the catalog's groups (its catalogFilter: kind Group).
    const owner = card.body.find((e: any) => e.id === "owner");
    expect(owner.choices.map((c: any) => c.value)).toContain("group:default/team-payments");
    expect(owner.choices.every((c: any) => c.value.startsWith("group:"))).toBe(true);

    const page1 = {
      name: "ledger-exporter",
      description: "Exports the ledger nightly.",
      owner: "group:default/team-payments",
    };
    const bad = await submitPage({ ...card.actions[0].data, ...page1, name: "Ledger Exporter" });
    card = cardOf(bad.body);
    expect(JSON.stringify(card)).toContain("Attention");
    card = cardOf((await submitPage({ ...card.actions[0].data, ...page1 })).body);
    expect(card.body.some((e: any) => /Step 2 of 4/.test(e.text ?? ""))).toBe(true);

    // Back and Next again: page 1 keeps what was typed.
    const back = card.actions.find((a: any) => a.data?.callboard?.intent === "back");
    card = cardOf((await submitPage({ ...back.data, port: "9090" })).body);
    expect(card.body.find((e: any) => e.id === "name").value).toBe("ledger-exporter");
    card = cardOf((await submitPage({ ...card.actions[0].data, ...page1 })).body);
    expect(card.body.find((e: any) => e.id === "port").value).toBe(9090);
    card = cardOf((await submitPage({ ...card.actions[0].data, port: "9090", database: "none" })).body);
    card = cardOf(
      (
        await submitPage({
          ...card.actions[0].data,
          repoUrl: "local?owner=acme-payments&repo=ledger-exporter",
        })
      ).body,
    );
    const review = JSON.stringify(card.body);
    expect(review).toContain("Step 4 of 4");
    expect(review).toContain("ledger-exporter");
    expect(review).toContain("9090");
    expect(adaptiveCardErrors(card)).toEqual([]);

    const done = await submitPage({ ...card.actions[0].data });
    expect(done.status).toBe(200);
    expect(done.body).toBeUndefined();

    const finished = await connector.waitFor(
      (c) => c.method === "PUT" && JSON.stringify(c.body).includes("completed in"),
      30_000,
    );
    const kept = connector.activities.get(finished.activityId!)!;
    expect(kept.conversationId).toBe("a:1personal-chat-alice");
    const final = JSON.stringify(kept.updates.at(-1));
    expect(final).toContain("Register in the catalog");
    expect(final).toContain("http://callboard.test/catalog/default/component/ledger-exporter");
    // One progress message: its first post, then edits.
    const posts = connector.calls.filter(
      (c) => c.method === "POST" && JSON.stringify(c.body).includes("Render the skeleton"),
    );
    expect(posts).toHaveLength(1);
    expect(connector.problems).toEqual([]);
    expect(
      existsSync(join(dataDir, "repositories", "local", "acme-payments", "ledger-exporter.git", "HEAD")),
    ).toBe(true);

    await post(fixture("message-personal", { text: "who owns ledger-exporter" }));
    const owned = await connector.waitFor(
      (c) =>
        JSON.stringify(c.body).includes("team-payments") &&
        JSON.stringify(c.body).includes("ledger-exporter"),
    );
    expect(owned.conversationId).toBe("a:1personal-chat-alice");
  }, 60_000);

  it("answers scaffold tasks and refuses retry of a completed task", async () => {
    await post(fixture("message-personal", { text: "scaffold tasks" }));
    const listed = await connector.waitFor((c) => JSON.stringify(c.body).includes("Your scaffolder tasks"));
    const id = /scaffold log ([0-9a-f-]{36})/.exec(JSON.stringify(listed.body))![1]!;
    await post(fixture("message-personal", { text: `scaffold retry ${id}` }));
    await connector.waitFor((c) =>
      JSON.stringify(c.body).includes("only a failed or cancelled task can be retried"),
    );
  });
});
