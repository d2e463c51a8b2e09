import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { z } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineAdapterModule, type Adapter, type AdapterModule } from "../bot/core/adapter.ts";
import { defineConfigSection } from "../plugins/config-section.ts";
import { buildApp, type App } from "./build-app.ts";
import { loadConfig } from "./config.ts";
import { serve } from "./serve.ts";

/** A terminal-like adapter that records the notes its banner would show. */
function fakeTerminal(seen: string[][]): AdapterModule {
  return defineAdapterModule({
    name: "fake-terminal",
    label: "the fake terminal",
    settings: defineConfigSection({ id: "fake-terminal", schema: z.object({}) }),
    fallback: true,
    usesTerminal: true,
    enabled: () => false,
    describe: () => "a fake terminal",
    create: (_values, _services, context): Adapter => {
      seen.push(context.notes);
      return {
        name: "fake-terminal",
        capabilities: { ephemeral: false, modals: false, updateInPlace: false, threads: false },
        routes: [],
        start: () => Promise.resolve(),
        stop: () => Promise.resolve(),
        post: () => Promise.reject(new Error("not posting")),
        update: () => Promise.reject(new Error("not updating")),
      };
    },
  });
}

describe("the terminal chat serves pages too", () => {
  const dir = mkdtempSync(join(tmpdir(), "cb-serve-terminal-"));
  let app: App;
  let busy: Server;
  let busyPort = 0;

  beforeAll(async () => {
    busy = createServer((_req, res) => res.end("someone else"));
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    busyPort = (busy.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => busy.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(env: Record<string, string>) {
    const config = loadConfig({ CALLBOARD_DATA_DIR: join(dir, "data"), ...env }, { cwd: dir });
    app = await buildApp(config, pino({ level: "silent" }), { skipImport: true });
    const seen: string[][] = [];
    const serving = await serve(app, [fakeTerminal(seen)], { notes: ["42 entities loaded."] });
    return { serving, notes: seen[0]! };
  }

  it("listens on this machine only when HOST is unset, and its banner says where", async () => {
    const { serving, notes } = await start({ PORT: "0" });
    try {
      expect(serving.http!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(notes[0]).toBe("42 entities loaded.");
      expect(notes.at(-1)).toBe(`Pages (docs, catalog) are served at ${serving.http!.url}/docs.`);
      expect(await (await fetch(`${serving.http!.url}/docs`)).text()).toContain("<h1>Documentation</h1>");
    } finally {
      await serving.stop();
      await app.close();
    }
  });

  it("still chats when the port is taken, and says the pages are not served", async () => {
    const { serving, notes } = await start({ PORT: String(busyPort), HOST: "127.0.0.1" });
    try {
      expect(serving.http).toBeUndefined();
      expect(notes.at(-1)).toContain(`port ${busyPort} could not be opened (EADDRINUSE)`);
      expect(notes.at(-1)).toContain("Set PORT");
    } finally {
      await serving.stop();
      await app.close();
    }
  });
});
