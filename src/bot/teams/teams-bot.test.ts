/* eslint-disable @typescript-eslint/no-explicit-any -- cards and invoke bodies from the wire are inspected loosely in assertions */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RecordedCall } from "../../../test/fixtures/teams/bot-connector-stand-in.ts";
import { adaptiveCardErrors } from "../../../test/fixtures/teams/card-validator.ts";
import { startTeamsHarness, type TeamsHarness } from "../../../test/fixtures/teams/harness.ts";

const cardOf = (call: RecordedCall): any =>
  (call.body.attachments as { contentType: string; content: any }[])[0]!.content;

/** Every text a person sees on a card. */
const textsOf = (card: any): string[] =>
  [...JSON.stringify(card).matchAll(/"(?:text|value|title)":("(?:[^"\\]|\\.)*")/g)].map(
    (m) => JSON.parse(m[1]!) as string,
  );

const bodyText = (call: RecordedCall) => JSON.stringify(call.body);

describe("Teams bot answers", () => {
  let teams: TeamsHarness;

  beforeAll(async () => {
    teams = await startTeamsHarness();
  });
  afterAll(() => teams.close());

  async function ask(text: string): Promise<any> {
    const activity = teams.fixture("message-personal", { text });
    expect((await teams.post(activity)).status).toBe(200);
    return cardOf(await teams.connector.waitFor((c) => c.activityId === activity.id));
  }

  it("writes nothing to render an answer that fits, and keeps a cut answer's rest once", async () => {
    // Continuations are only ever added (each under a new id); form sessions count their own writes.
    const writes = () => teams.continuations.kept.size + teams.sessions.writes;
    const before = writes();
    const query = await teams.post(teams.fixture("invoke-compose-query"));
    expect(query.body.composeExtension.attachments).toHaveLength(3);
    await ask("show payments-api");
    await teams.post(teams.fixture("invoke-compose-query-link"));
    expect(writes()).toBe(before);

    const big = await ask("big");
    expect(writes()).toBe(before + 1);
    const more = big.body.at(-1).actions[0];
    const next = await teams.post(
      teams.fixture("invoke-adaptive-card-action", {
        value: { action: { type: "Action.Execute", verb: "more", data: more.data }, trigger: "manual" },
      }),
    );
    // Long enough for a third part: the rest of the rest is kept once more, under its own id.
    const third = next.body.value.body.at(-1).actions[0];
    expect(third).toMatchObject({ verb: "more", data: { m: expect.any(String) } });
    expect(third.data.m).not.toBe(more.data.m);
    expect(writes()).toBe(before + 2);
  });

  it("shows a 200-section answer to its end through 'Show more', each part a valid card", async () => {
    const items = (card: any): number[] =>
      card.body.flatMap((e: any) => {
        const n = /^Item (\d+):/.exec(e.text ?? "")?.[1];
        return n === undefined ? [] : [Number(n)];
      });
    let card = await ask("big");
    const seen = items(card);
    for (let parts = 1; card.body.at(-1).type === "ActionSet"; parts++) {
      expect(parts).toBeLessThan(50);
      const more = card.body.at(-1).actions[0];
      expect(more).toMatchObject({ title: "Show more", verb: "more" });
      const next = await teams.post(
        teams.fixture("invoke-adaptive-card-action", {
          value: { action: { type: "Action.Execute", verb: "more", data: more.data }, trigger: "manual" },
        }),
      );
      expect(next.body).toMatchObject({ statusCode: 200, type: "application/vnd.microsoft.card.adaptive" });
      card = next.body.value;
      expect(adaptiveCardErrors(card)).toEqual([]);
      seen.push(...items(card));
    }
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(JSON.stringify(card)).not.toContain("did not fit");
  });

  it("lists each command's usage on a line of its own, with no stray backslashes", async () => {
    const help = await ask("help");
    expect(textsOf(help).filter((t) => t.includes("\\"))).toEqual([]);
    expect(textsOf(help)).toContain("**deps <name> [--depth N]**\n\nWhat a component depends on.");
    const one = await ask("help deps");
    expect(one.body.find((e: any) => e.type === "FactSet").facts).toContainEqual({
      title: "Usage",
      value: "**deps <name> [--depth N]**",
    });
    expect(textsOf(one).filter((t) => t.includes("\\"))).toEqual([]);
  });

  it("welcomes with commands the router knows, and none it does not", async () => {
    const install = teams.fixture("conversation-update-bot-added");
    expect((await teams.post(install)).status).toBe(200);
    const call = await teams.connector.waitFor(
      (c) => c.conversationId === install.conversation.id && bodyText(c).includes("Hi, I'm Callboard"),
    );
    const suggested = textsOf(cardOf(call)).flatMap((t) =>
      [...t.matchAll(/\*\*([^*]+)\*\*/g)].map((m) => m[1]!),
    );
    expect(suggested.length).toBeGreaterThan(0);
    for (const command of suggested) {
      const answer = await teams.core.message({
        text: command,
        user: { surface: "teams", id: "u" },
        conversation: { surface: "teams" },
      });
      expect({ command, answer: answer.text }).not.toMatchObject({
        answer: expect.stringMatching(/don't know/),
      });
    }
    // Taken from the registered commands: examples where a command has them, else its usage.
    expect(suggested).toEqual(expect.arrayContaining(["who owns <name>", "deps payments-api --depth 2"]));
  });
});

describe("Teams buttons in shared conversations", () => {
  let teams: TeamsHarness;

  beforeAll(async () => {
    teams = await startTeamsHarness();
  });
  afterAll(() => teams.close());

  const press = (conversation: Record<string, unknown>, command: string) =>
    teams.fixture("invoke-adaptive-card-action", {
      conversation: { tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47", ...conversation },
      value: { action: { type: "Action.Execute", verb: "command", data: { c: command } }, trigger: "manual" },
    });

  it("posts a button's answer in a channel's reply chain and leaves the pressed card alone", async () => {
    const thread = "19:3f2c8e@thread.tacv2;messageid=1732530900001";
    const res = await teams.post(
      press({ id: thread, conversationType: "channel", isGroup: true }, "show in-thread"),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ statusCode: 200, type: "application/vnd.microsoft.activity.message" });
    expect(typeof res.body.value).toBe("string");
    const call = await teams.connector.waitFor((c) => bodyText(c).includes("component:in-thread"));
    expect(call).toMatchObject({ method: "POST", conversationId: thread, activityId: "1732530900100" });
    expect(teams.connector.calls.filter((c) => c.method === "PUT")).toEqual([]);
  });

  it("starts the reply chain under a card posted at the top of a channel", async () => {
    const res = await teams.post(
      press({ id: "19:3f2c8e@thread.tacv2", conversationType: "channel", isGroup: true }, "show at-root"),
    );
    expect(res.body.type).toBe("application/vnd.microsoft.activity.message");
    const call = await teams.connector.waitFor((c) => bodyText(c).includes("component:at-root"));
    expect(call.conversationId).toBe("19:3f2c8e@thread.tacv2;messageid=1732530900100");
  });

  it("posts a new message in a group chat, and still replaces the card in a personal chat", async () => {
    const res = await teams.post(
      press(
        { id: "19:groupchat-7788@thread.v2", conversationType: "groupChat", isGroup: true },
        "show in-group",
      ),
    );
    expect(res.body.type).toBe("application/vnd.microsoft.activity.message");
    const call = await teams.connector.waitFor((c) => bodyText(c).includes("component:in-group"));
    expect(call.conversationId).toBe("19:groupchat-7788@thread.v2");

    const personal = await teams.post(
      press({ id: "a:1personal-chat-alice", conversationType: "personal" }, "show in-personal"),
    );
    expect(personal.body).toMatchObject({ statusCode: 200, type: "application/vnd.microsoft.card.adaptive" });
    expect(personal.body.value.body[0].text).toBe("component:in-personal");
    expect(teams.connector.calls.filter((c) => bodyText(c).includes("component:in-personal"))).toEqual([]);
  });
});

describe("Teams buttons that open forms", () => {
  let teams: TeamsHarness;

  beforeAll(async () => {
    teams = await startTeamsHarness();
  });
  afterAll(() => teams.close());

  it("answers a button whose command asks for a form with a button that opens its dialog", async () => {
    const pressed = await teams.post(
      teams.fixture("invoke-adaptive-card-action", {
        value: { action: { type: "Action.Execute", verb: "command", data: { c: "scaffold" } } },
      }),
    );
    const open = pressed.body.value.body
      .flatMap((e: any) => e.actions ?? [])
      .find((a: any) => a.title === "Open New service");
    expect(open).toMatchObject({
      type: "Action.Submit",
      data: { msteams: { type: "task/fetch" }, f: "new-service", s: expect.any(String) },
    });
    const fetched = await teams.post(
      teams.fixture("invoke-task-fetch", { value: { type: "task/fetch", data: open.data } }),
    );
    expect(fetched.body.task.type).toBe("continue");
    expect(fetched.body.task.value.card.content.body[0].text).toBe("New service");
  });
});

describe("Teams buttons on cards posted by earlier versions", () => {
  let teams: TeamsHarness;

  beforeAll(async () => {
    teams = await startTeamsHarness();
  });
  afterAll(() => teams.close());

  const pressOld = (verb: string, data: Record<string, unknown>) =>
    teams.post(
      teams.fixture("invoke-adaptive-card-action", {
        value: { action: { type: "Action.Execute", verb, data }, trigger: "manual" },
      }),
    );

  it("still runs an old card's command, and says an old 'more' answer has expired", async () => {
    const command = await pressOld("command", { command: "show old-card" });
    expect(command.body.value.body[0].text).toBe("component:old-card");
    const more = await pressOld("more", { more: "0b7d3c1e-0000-4000-8000-000000000000", from: 12 });
    expect(JSON.stringify(more.body.value)).toContain("That answer has expired");
    const unknown = await pressOld("explode", { nothing: true });
    expect(unknown.body).toMatchObject({ statusCode: 400 });
  });

  it("opens an old card's form afresh, its stored session being gone", async () => {
    const fetched = await teams.post(
      teams.fixture("invoke-task-fetch", {
        value: {
          type: "task/fetch",
          data: { msteams: { type: "task/fetch" }, form: "new-service", args: "session:gone" },
        },
      }),
    );
    expect(fetched.body.task.value.card.content.body[0].text).toBe("New service");
  });

  it("answers a submit from an old dialog with a message to start again", async () => {
    const res = await teams.post(
      teams.fixture("invoke-task-submit", {
        value: { type: "task/submit", data: { formAction: "next", page: 0, session: "old", name: "x" } },
      }),
    );
    expect(res.body.task).toEqual({
      type: "message",
      value: "This form has expired. Start it again from a command.",
    });
  });
});

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
