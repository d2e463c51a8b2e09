/**
 * The docs pages in a real browser (Chromium through playwright-core): navigation across nested sections, an
 * anchor deep link, a relative link and an image, tabs, a collapsible admonition, the 404 page, and no console
 * error or Content-Security-Policy violation on any page. Screenshots go to test-output/docs/; look at them.
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleLibrary } from "../../../test/fixtures/docs/memory-library.ts";
import { builtLibrary } from "../../../test/fixtures/docs/built-library.ts";
import { serveDocsPlugins } from "../../../test/fixtures/docs/docs-server.ts";
import { findChromium, launchChromium, NO_CHROMIUM } from "../../../test/fixtures/docs/chromium.ts";
import type { DocsLibrary } from "../model.ts";
import { sitePath } from "../model.ts";
import { docsWebPlugin } from "./docs-web-plugin.ts";

const executable = findChromium();
const SHOTS = fileURLToPath(new URL("../../../test-output/docs/", import.meta.url));

/** Every problem a page reported: console errors, uncaught exceptions, CSP violations, failed requests. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning")
      problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`));
  page.on("response", (response) => {
    if (response.status() >= 400 && !response.url().includes("/missing")) {
      problems.push(`HTTP ${response.status()}: ${response.url()}`);
    }
  });
  return problems;
}

/** Records CSP violations the page sees (they also reach the console, this makes sure). */
async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate<string[]>("window.__csp || []");
}

describe.skipIf(!executable)(
  `docs pages in Chromium${executable ? "" : ` (skipped: ${NO_CHROMIUM})`}`,
  () => {
    let library: DocsLibrary;
    let base = "";
    let close: () => Promise<void>;
    let context: BrowserContext;
    let stopServer: () => Promise<void>;

    beforeAll(async () => {
      // A hand-made site, and one the docs build engine built from TechDocs sources (test/fixtures/docs/sites).
      library = await builtLibrary(undefined, sampleLibrary());
      const { server } = await serveDocsPlugins(
        [docsWebPlugin({ library, baseUrl: "http://127.0.0.1" })],
        "http://127.0.0.1",
      );
      base = server.url;
      stopServer = () => server.close();
      const browser = await launchChromium(executable!);
      context = browser.context;
      close = browser.close;
      // Collect CSP violations from the first script that runs on every page.
      await context.addInitScript({
        content: `window.__csp = [];
        document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));`,
      });
      mkdirSync(SHOTS, { recursive: true });
    }, 60_000);

    afterAll(async () => {
      await close?.();
      await stopServer?.();
    });

    const url = (path: string) => `${base}${path}`;
    const payments = { namespace: "default", kind: "component", name: "payments-api" };

    it("navigates across nested sections from the site's navigation", async () => {
      const page = await context.newPage();
      const problems = watch(page);
      await page.goto(url(sitePath(payments)));
      await page.locator(".sidebar summary", { hasText: "Architecture" }).click();
      await page.locator(".sidebar summary", { hasText: "Decisions" }).click();
      await page.locator(".sidebar a", { hasText: "Decision records" }).click();
      await page.waitForURL(url(sitePath(payments, "architecture/decisions/")));
      expect(await page.locator("article h1").textContent()).toContain("Decision records");
      // The section holding the current page is open, and the breadcrumbs name it.
      expect(await page.locator(".sidebar details[open] > summary").allTextContents()).toEqual([
        "Architecture",
        "Decisions",
      ]);
      expect(await page.locator(".breadcrumbs li").allTextContents()).toEqual([
        "Payments API",
        "Architecture",
        "Decisions",
      ]);
      await page.locator(".pager a.previous").click();
      await page.waitForURL(url(sitePath(payments, "architecture/overview/")));
      expect(problems).toEqual([]);
      await page.close();
    });

    it("scrolls an anchor deep link to its heading", async () => {
      const page = await context.newPage();
      await page.goto(url(`${sitePath(payments, "runbooks/rotate-credentials/")}#verify-the-rotation`));
      const top = await page
        .locator("#verify-the-rotation")
        .evaluate(
          (h) => (h as unknown as { getBoundingClientRect(): { top: number } }).getBoundingClientRect().top,
        );
      expect(await page.evaluate<number>("window.scrollY")).toBeGreaterThan(300);
      // Below the sticky top bar, near the top of the window.
      expect(top).toBeGreaterThan(40);
      expect(top).toBeLessThan(200);
      await page.close();
    });

    it("follows a relative link and loads an image", async () => {
      const page = await context.newPage();
      const problems = watch(page);
      await page.goto(url(sitePath(payments)));
      expect(
        await page
          .locator('img[alt="Payment flow"]')
          .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      ).toBe(2);
      await page.locator("article a", { hasText: "credential rotation runbook" }).click();
      await page.waitForURL(url(sitePath(payments, "runbooks/rotate-credentials/")));
      await page.locator("article a", { hasText: "overview" }).click();
      await page.waitForURL(url(sitePath(payments)));
      expect(problems).toEqual([]);
      await page.close();
    });

    it("switches tabs and opens a collapsible admonition, without script", async () => {
      const page = await context.newPage();
      await page.goto(url(sitePath(payments, "runbooks/rotate-credentials/")));
      const kubectl = page.locator(".tabbed-block", { hasText: "kubectl rollout" });
      const helm = page.locator(".tabbed-block", { hasText: "helm upgrade" });
      expect(await kubectl.isVisible()).toBe(true);
      expect(await helm.isVisible()).toBe(false);
      await page.locator(".tabbed-set label", { hasText: "Helm" }).click();
      expect(await helm.isVisible()).toBe(true);
      expect(await kubectl.isVisible()).toBe(false);

      const answer = page.locator("details.note p", { hasText: "audit policy" });
      expect(await answer.isVisible()).toBe(false);
      await page.locator("details.note summary").click();
      expect(await answer.isVisible()).toBe(true);
      await page.close();
    });

    it("searches the site from the search box", async () => {
      const page = await context.newPage();
      const problems = watch(page);
      await page.goto(url(sitePath(payments)));
      await page.locator(".search-box").fill("verify rotat");
      const first = page.locator(".search-results li a").first();
      await first.waitFor();
      expect(await first.getAttribute("href")).toBe(
        `${sitePath(payments, "runbooks/rotate-credentials/")}#verify-the-rotation`,
      );
      expect(await page.locator(".search-results mark").count()).toBeGreaterThan(0);
      await page.screenshot({ path: `${SHOTS}search.png` });
      await first.click();
      await page.waitForURL(/#verify-the-rotation$/);
      expect(problems).toEqual([]);
      expect(await cspViolations(page)).toEqual([]);
      await page.close();
    });

    it("renders a site built from TechDocs sources: tabs, collapsible note, Graphviz, images, deep links", async () => {
      const ledger = { namespace: "default", kind: "component", name: "ledger-service" };
      const page = await context.newPage();
      const problems = watch(page);
      await page.goto(url(sitePath(ledger)));
      expect(await page.locator(".graphviz svg").isVisible()).toBe(true);
      expect(
        await page
          .locator('img[alt="How an entry flows"]')
          .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      ).toBe(120);
      await page.locator("article a", { hasText: "API reference" }).click();
      await page.waitForURL(url(`${sitePath(ledger, "reference/api/")}#accounts`));
      expect(await page.locator("#accounts").isVisible()).toBe(true);

      await page.goto(url(sitePath(ledger, "guides/posting/")));
      const ts = page.locator(".tabbed-block", { hasText: "ledger.post" });
      const curl = page.locator(".tabbed-block", { hasText: "curl -X POST" });
      expect([await ts.isVisible(), await curl.isVisible()]).toEqual([true, false]);
      await page.locator(".tabbed-labels label", { hasText: "curl" }).click();
      expect([await ts.isVisible(), await curl.isVisible()]).toEqual([false, true]);
      const why = page.locator("details.note p", { hasText: "sum of all accounts" });
      expect(await why.isVisible()).toBe(false);
      await page.locator("details.note summary").click();
      expect(await why.isVisible()).toBe(true);
      await page.screenshot({ path: `${SHOTS}built-page.png`, fullPage: true });

      await page.locator("article a", { hasText: "daily reconciliation" }).click();
      await page.waitForURL(url(`${sitePath(ledger, "guides/reconcile/")}#mismatches`));
      expect(
        await page
          .locator('img[alt="flow"]')
          .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      ).toBe(120);
      expect(problems).toEqual([]);
      await page.close();
    });

    it("helps on a 404 with the closest pages", async () => {
      const page = await context.newPage();
      const response = await page.goto(url(sitePath(payments, "runbooks/rotate-credential/")));
      expect(response!.status()).toBe(404);
      await page.locator(".suggestions a", { hasText: "Rotate database credentials" }).click();
      await page.waitForURL(url(sitePath(payments, "runbooks/rotate-credentials/")));
      await page.close();
    });

    it("filters the index of sites as one types", async () => {
      const page = await context.newPage();
      const problems = watch(page);
      await page.goto(url("/docs"));
      await page.screenshot({ path: `${SHOTS}index.png`, fullPage: true });
      expect(await page.locator(".site-list li:visible").count()).toBe(3);
      await page.locator(".filter-box").fill("team-search");
      expect(await page.locator(".site-list li:visible").count()).toBe(1);
      await page.locator(".filter-box").fill("nothing like this");
      expect(await page.locator(".no-match").isVisible()).toBe(true);
      expect(problems).toEqual([]);
      await page.close();
    });

    it("shows every page of every site without a console error or CSP violation", async () => {
      const page = await context.newPage();
      const problems = watch(page);
      const visited: string[] = [];
      for (const site of library.listSites()) {
        for (const builtPage of Object.values(site.pages)) {
          const path = sitePath(site.key, builtPage.path);
          const response = await page.goto(url(path));
          expect(response!.status(), path).toBe(200);
          expect(await cspViolations(page), path).toEqual([]);
          visited.push(path);
        }
      }
      expect(visited.length).toBeGreaterThan(4);
      await page.goto(url(sitePath(payments, "runbooks/rotate-credentials/")));
      await page.screenshot({ path: `${SHOTS}page.png` });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: `${SHOTS}page-mobile.png` });
      expect(problems).toEqual([]);
      await page.close();
    });
  },
);
