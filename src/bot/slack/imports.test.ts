import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/**
 * The Slack adapter speaks to the chat core and the platform only: the composition root wires it, and state
 * reaches it through the ports it is given. An import of src/app, src/db, Prisma or a search engine from here
 * would turn the layers upside down again.
 */
describe("src/bot/slack imports", () => {
  const dir = new URL("./", import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));

  it("none of the composition root, the database, Prisma or a search engine", () => {
    expect(files.length).toBeGreaterThan(5);
    const forbidden =
      /from\s+["']([^"']*(?:\/app\/|\/db\/|\/search\/|\/generated\/|@prisma\/|meilisearch)[^"']*)["']/g;
    const found = files.flatMap((file) =>
      [...readFileSync(new URL(file, dir), "utf8").matchAll(forbidden)].map((m) => `${file}: ${m[1]}`),
    );
    expect(found).toEqual([]);
  });
});
