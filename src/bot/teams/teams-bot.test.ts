/* eslint-disable @typescript-eslint/no-explicit-any -- cards and invoke bodies from the wire are inspected loosely in assertions */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTeamsHarness, type TeamsHarness } from "../../../test/fixtures/teams/surface-harness.ts";

describe("Teams invokes under one deadline", () => {
  const slowUser = { id: "29:slow-roster-bob", name: "Bob Slow", aadObjectId: "bob-aad" };
  let teams: TeamsHarness;
  let releaseRoster: () => void = () => {};

  beforeAll(async () => {
    // Long enough for everything but the held roster call to finish on a busy machine.
    teams = await startTeamsHarness({ invokeBudgetMs: 1500 });
    teams.connector.members.set(slowUser.id, { ...slowUser, email: "bob@example.com" });
    teams.connector.rosterGate = new Promise<void>((resolve) => (releaseRoster = resolve));
  });
  afterAll(async () => {
    releaseRoster();
    await teams.close();
  });

  it("answers searches, typeahead and form dialogs while the roster lookup is still hanging", async () => {
    const from = { from: slowUser };
    const [query, search, fetched] = await Promise.all([
      teams.post(teams.fixture("invoke-compose-query", from)),
      teams.post(
        teams.fixture("invoke-task-fetch", {
          ...from,
          name: "application/search",
          value: { queryText: "team", dataset: "owner", queryOptions: { top: 5 } },
        }),
      ),
      teams.post(teams.fixture("invoke-task-fetch", from)),
    ]);
    expect(teams.connector.rosterWaiting).toBeGreaterThan(0);
    expect(query.status).toBe(200);
    expect(query.body.composeExtension.attachments).toHaveLength(3);
    expect(search.body.value.results.map((r: any) => r.title)).toEqual(["team-payments", "team-platform"]);
    const page1 = fetched.body.task.value.card.content;
    expect(page1.body.find((e: any) => e.id === "name")).toBeDefined();

    // The next page has an owner picker, whose choices are fetched for this person.
    const submitted = await teams.post(
      teams.fixture("invoke-task-submit", {
        ...from,
        value: { type: "task/submit", data: { ...page1.actions[0].data, name: "orders-api" } },
      }),
    );
    expect(teams.connector.rosterWaiting).toBeGreaterThan(0);
    const owner = submitted.body.task.value.card.content.body.find((e: any) => e.id === "owner");
    expect(owner.choices).toHaveLength(2);
  }, 15_000);
});
