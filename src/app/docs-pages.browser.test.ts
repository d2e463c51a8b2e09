/**
 * The example organisation's TechDocs as a person opens them: Callboard built from its composition root, the
 * examples' docs built, the one HTTP server serving them, and Chromium visiting /docs and every page of every
 * site. No console error, no failed request, no Content-Security-Policy violation, every image loaded.
 * Screenshots go to test-output/docs/.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findChromium, launchChromium, NO_CHROMIUM } from "../../test/fixtures/docs/chromium.ts";
import { sitePath } from "../docs/model.ts";
import { buildApp, EXAMPLE_CATALOG, type App } from "./build-app.ts";
import { loadConfig } from "./config.ts";
import { serve, type Serving } from "./serve.ts";

const executable = findChromium();
const SHOTS = fileURLToPath(new URL("../../test-output/docs/", import.meta.url));

describe.skipIf(!executable)(
  `the example organisation's docs in Chromium${executable ? "" : ` (skipped: ${NO_CHROMIUM})`}`,
  () => {
    const dir = mkdtempSync(join(tmpdir(), "cb-docs-browser-"));
    let app: App;
    let serving: Serving;
    let browser: Awaited<ReturnType<typeof launchChromium>>;

    beforeAll(async () => {
      const config = loadConfig(
        { CALLBOARD_DATA_DIR: join(dir, "data"), PORT: "0", HOST: "127.0.0.1" },
        { cwd: dir },
      );
      app = await buildApp(config, pino({ level: "silent" }), { skipImport: true });
      await app.importLocation(EXAMPLE_CATALOG, "test");
      await app.docs.service.syncAll();
      serving = await serve(app, []);
      browser = await launchChromium(executable!);
      await browser.context.addInitScript({
        content: `window.__csp = [];
          document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));`,
      });
      mkdirSync(SHOTS, { recursive: true });
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await serving?.stop();
      await app?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("shows /docs and every page of every example site without an error", async () => {
      const base = serving.http!.url;
      const page = await browser.context.newPage();
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning")
          problems.push(`${page.url()}: console: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`${page.url()}: ${e.message}`));
      page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
      page.on("response", (r) => {
        if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
      });

      await page.goto(`${base}/docs`);
      const listed = await page.locator(".site-list li").count();
      const sites = app.docs.library.listSites();
      expect(listed).toBe(sites.length);
      expect(sites.length).toBeGreaterThan(1);
      await page.screenshot({ path: `${SHOTS}examples-index.png`, fullPage: true });

      let pages = 0;
      for (const site of sites) {
        for (const built of Object.values(site.pages)) {
          const path = sitePath(site.key, built.path);
          const response = await page.goto(`${base}${path}`);
          expect(response!.status(), path).toBe(200);
          // Every image on the page loaded (a broken relative path shows as width 0).
          const broken = await page.evaluate<string[]>(
            "[...document.images].filter((i) => !i.complete || i.naturalWidth === 0).map((i) => i.src)",
          );
          expect(broken, path).toEqual([]);
          expect(await page.evaluate<string[]>("window.__csp"), path).toEqual([]);
          pages++;
        }
      }
      expect(pages).toBeGreaterThan(5);
      const payments = { namespace: "default", kind: "component", name: "payments-api" };
      await page.goto(`${base}${sitePath(payments, "guides/api/")}`);
      await page.screenshot({ path: `${SHOTS}examples-api-guide.png`, fullPage: true });
      await page.goto(`${base}${sitePath(payments, "architecture/")}`);
      await page.screenshot({ path: `${SHOTS}examples-architecture.png`, fullPage: true });
      expect(problems).toEqual([]);
      await page.close();
    });
  },
);
