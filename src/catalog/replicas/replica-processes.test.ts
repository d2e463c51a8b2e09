/**
 * Two Callboard processes on one PostgreSQL database (test/fixtures/catalog/replica-process.ts): a change
 * one writes (an import, a re-read that changes an owner, a removal, an unregistered location) shows in the
 * other's `who owns` and search within seconds, through the change log and NOTIFY, without a re-import. The
 * poll is set to a minute, so it is the notification that brings each change.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { postgresAnswers, testTarget, type TestTarget } from "../../db/test-database.ts";
import { spawnReplica, timeChangeToAnswer, type Replica } from "../../../test/fixtures/catalog/replicas.ts";

const component = (name: string, owner: string) =>
  `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\nspec:\n  type: service\n  lifecycle: production\n  owner: ${owner}\n`;
const group = (name: string) =>
  `apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: ${name}\nspec:\n  type: team\n  children: []\n`;

/** Far longer than any wait below: each change must come through the notification. */
const SETTINGS = { CALLBOARD_FOLLOW_SECONDS: "60" };

const available = await postgresAnswers();
describe.skipIf(!available)("two Callboard processes on one PostgreSQL database", () => {
  let target: TestTarget;
  let dir: string;
  const replicas: Replica[] = [];
  beforeEach(async () => {
    target = testTarget("postgresql");
    // Migrate once up front, so the two processes do not race to create the schema.
    await (await target.open()).close();
    dir = mkdtempSync(join(tmpdir(), "cb-replicas-"));
  });
  afterEach(async () => {
    await Promise.all(replicas.splice(0).map((replica) => replica.stop()));
    await target.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (entities: string[]) => writeFileSync(join(dir, "catalog-info.yaml"), entities.join("---\n"));
  const seenWithin = (replica: Replica, question: string, seen: (answer: string) => boolean) =>
    timeChangeToAnswer({
      change: async () => undefined,
      ask: () => replica.ask(question),
      seen,
      timeoutMs: 20_000,
    });

  // Two processes start and import on a machine shared with other work: more than the default 30 s in all.
  it(
    "an import, an owner change, a removal and an unregister on one reach the other's answers and search",
    { timeout: 180_000 },
    async () => {
      const [a, b] = await Promise.all([
        spawnReplica(target.url, SETTINGS),
        spawnReplica(target.url, SETTINGS),
      ]);
      replicas.push(a, b);
      write([
        group("team-a"),
        group("team-b"),
        component("payments", "team-a"),
        component("ledger-keeper", "team-a"),
      ]);
      expect(await b.ask("who owns payments")).toContain("Nothing in the catalog is called");

      await a.importLocation(dir);
      await seenWithin(b, "who owns payments", (answer) => answer.includes("team-a"));
      expect(await b.ask("search ledger")).toContain("ledger-keeper");

      // A re-read that changes an owner (what a push webhook does), timed as push-to-answer is.
      write([
        group("team-a"),
        group("team-b"),
        component("payments", "team-b"),
        component("ledger-keeper", "team-a"),
      ]);
      const ms = await timeChangeToAnswer({
        change: () => a.importLocation(dir),
        ask: () => b.ask("who owns payments"),
        seen: (answer) => answer.includes("team-b"),
        timeoutMs: 20_000,
      });
      expect(ms).toBeGreaterThan(0);

      // An entity removed from the file disappears from the other's search and answers.
      write([group("team-a"), group("team-b"), component("payments", "team-b")]);
      await a.importLocation(dir);
      await seenWithin(b, "search ledger", (answer) => !answer.includes("ledger-keeper"));
      expect(await b.ask("who owns ledger-keeper")).toContain("Nothing in the catalog is called");

      // Unregistering the location on the other replica reaches the first the same way.
      await b.removeLocation(dir);
      await seenWithin(a, "who owns payments", (answer) =>
        answer.includes("Nothing in the catalog is called"),
      );
      expect(await a.ask("search payments")).toContain("No results");
    },
  );
});

if (!available)
  console.warn("PostgreSQL is not reachable at 127.0.0.1:5432: the two-process replica test is skipped");
