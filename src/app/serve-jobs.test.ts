import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import type { Plugin } from "../plugins/api.ts";
import { buildApp } from "./build-app.ts";
import { loadConfig } from "./config.ts";
import { serve } from "./serve.ts";

describe("serve: plugins' jobs and routes", () => {
  const dir = mkdtempSync(join(tmpdir(), "cb-serve-jobs-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("serves plugins' routes with their parameters, starts jobs once serving, and stops them at shutdown", async () => {
    const events: string[] = [];
    const plugin: Plugin = {
      id: "probe",
      register(api) {
        api.addHttpRoute({
          method: "GET",
          path: "/probe/:name",
          handler: (_req, res, { params }) => void res.writeHead(200).end(`hello ${params.name}`),
        });
        api.addJob({
          id: "watcher",
          start: async (ctx) => {
            events.push("started");
            await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
            events.push("aborted");
          },
          stop: () => void events.push("stopped"),
        });
      },
    };
    const config = loadConfig(
      { CALLBOARD_DATA_DIR: join(dir, "data"), PORT: "0", HOST: "127.0.0.1" },
      { cwd: dir },
    );
    const app = await buildApp(config, pino({ level: "silent" }), { plugins: [plugin], skipImport: true });
    try {
      const serving = await serve(app, []);
      expect(events).toEqual(["started"]);
      expect(await (await fetch(`${serving.http!.url}/probe/ada`)).text()).toBe("hello ada");
      await serving.stop();
      // Both happened before stop() resolved: the job saw its signal, was told to stop, and was awaited.
      expect([...events].sort()).toEqual(["aborted", "started", "stopped"]);
    } finally {
      await app.close();
    }
  });
});
