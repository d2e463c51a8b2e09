import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Adapter } from "../bot/core/adapter.ts";
import { createShellAdapter } from "../bot/shell/shell-adapter.ts";
import { MemoryConversationStore, MemoryEventLedger } from "../../test/fixtures/memory-ports.ts";
import { buildApp, type App } from "./build-app.ts";
import { loadConfig } from "./config.ts";

/**
 * Scaffolding in the terminal chat, with the whole app: `scaffold node-service` asks each page's fields, Back
 * keeps the page's answers (defaults included), the review lists them, Enter runs it; the progress is printed
 * as it changes, ending with the output; `who owns` knows the new component.
 */
describe("scaffolding from the terminal chat", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "cb-scaffold-shell-"));
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = "";
  let app: App;
  let shell: Adapter;

  async function printedSoon(pattern: RegExp): Promise<void> {
    const until = Date.now() + 30_000;
    while (!pattern.test(printed)) {
      if (Date.now() > until) throw new Error(`never printed ${pattern}:\n${printed}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  beforeAll(async () => {
    app = await buildApp(
      loadConfig({ CALLBOARD_DATA_DIR: dataDir }, { cwd: dataDir }),
      pino({ level: "silent" }),
    );
    output.on("data", (chunk) => (printed += String(chunk)));
    shell = createShellAdapter(
      { input, output, interactive: false, user: { surface: "shell", id: "jane" } },
      {
        core: app.core,
        ledger: new MemoryEventLedger(),
        conversations: new MemoryConversationStore(),
        log: app.log,
        baseUrl: "http://localhost:3000",
        production: false,
      },
    );
    app.outbox.attach(shell);
    await shell.start();
    app.startTaskWorker();
  }, 60_000);

  afterAll(async () => {
    input.end();
    await shell?.finished;
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("asks, reviews, runs, and prints the progress to the output", async () => {
    // Page 1 (name, description, owner, system), Back from page 2, page 1 again as it was, pages 2 and 3,
    // then Enter on the review.
    input.write(
      "scaffold node-service\nrefund-shell\nRefunds from the shell.\ngroup:default/team-payments\n\n",
    );
    input.write(":back\n\n\n\n\n");
    input.write("\n\n\nlocal?owner=acme-payments&repo=refund-shell\n");
    await printedSoon(/-- Review \(page 4 of 4\) --/);
    const review = printed.slice(printed.indexOf("-- Review"));
    expect(review).toContain("Name: refund-shell");
    expect(review).toContain("Port: 8080");
    expect(review).toContain("Database: No database");
    input.write("\n");
    await printedSoon(/Node\.js service: completed\n/);
    expect(printed).toContain("(update to message");
    expect(printed).toContain("who owns refund-shell");
    input.write("who owns refund-shell\n");
    await printedSoon(/Payments Team/);
  }, 60_000);
});
