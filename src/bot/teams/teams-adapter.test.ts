/* eslint-disable @typescript-eslint/no-explicit-any -- cards and invoke bodies from the wire are inspected loosely in assertions */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AppCredentials } from "botframework-connector";
import jwt from "jsonwebtoken";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpServer, type RunningHttpServer } from "../../app/http-server.ts";
import { BotConnectorStandIn } from "../../../test/fixtures/teams/bot-connector-stand-in.ts";
import { adaptiveCardErrors } from "../../../test/fixtures/teams/card-validator.ts";
import { MemoryConversationStore, MemoryEventLedger } from "../../../test/fixtures/memory-ports.ts";
import { buildTestCore } from "../../../test/fixtures/chat-core.ts";
import { startTeamsHarness, type TeamsHarness } from "../../../test/fixtures/teams/harness.ts";
import { teamsTestPlugin } from "../../../test/fixtures/teams/test-plugin.ts";
import type { Adapter, AdapterServices } from "../core/adapter.ts";
import { createTeamsAdapter } from "./teams-adapter.ts";
import { commandText } from "./teams-inbound.ts";

const log = pino({ level: "silent" });
const FIXTURES = new URL("../../../test/fixtures/teams/", import.meta.url);
type Activity = Record<string, unknown> & { conversation: { id: string } };

function fixture(name: string, serviceUrl: string, overrides: Record<string, unknown> = {}): Activity {
  const activity = JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), "utf8")) as Activity;
  return { ...activity, serviceUrl, ...overrides };
}

async function services(production: boolean): Promise<AdapterServices> {
  const { core } = await buildTestCore([teamsTestPlugin], log);
  return {
    core,
    ledger: new MemoryEventLedger(),
    conversations: new MemoryConversationStore(),
    log,
    baseUrl: "http://callboard.test",
    production,
  };
}

async function post(
  base: string,
  activity: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}/api/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof activity === "string" ? activity : JSON.stringify(activity),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // plain-text error bodies stay strings
  }
  return { status: res.status, body };
}

function cardOf(call: { body: Record<string, unknown> }): any {
  const attachments = call.body.attachments as { contentType: string; content: unknown }[];
  expect(attachments[0]!.contentType).toBe("application/vnd.microsoft.card.adaptive");
  return attachments[0]!.content;
}

const texts = (card: any): string =>
  JSON.stringify(card.body)
    .match(/"(?:text|value|title)":"[^"]*"/g)!
    .join(" ");

describe("Teams adapter over HTTP, no app id (development mode)", () => {
  let teams: TeamsHarness;
  let connector: BotConnectorStandIn;
  let conversations: MemoryConversationStore;
  let adapter: Adapter;
  let serviceUrl: string;
  let base: string;

  beforeAll(async () => {
    teams = await startTeamsHarness();
    ({ connector, adapter, serviceUrl, base } = teams);
    conversations = teams.conversations as MemoryConversationStore;
  });

  afterAll(() => teams?.close());

  it("answers a channel @mention in the reply chain, as the catalog user found through the roster", async () => {
    const activity = fixture("message-channel-mention", serviceUrl);
    const { status } = await post(base, activity);
    expect(status).toBe(200);
    const call = await connector.waitFor((c) => c.activityId === "1732530900001");
    expect(call.method).toBe("POST");
    expect(call.conversationId).toBe("19:3f2c8e@thread.tacv2;messageid=1732530900001");
    const card = cardOf(call);
    expect(card.version).toBe("1.5");
    expect(card.body[0]).toMatchObject({
      type: "TextBlock",
      text: "payments-api",
      size: "Large",
      weight: "Bolder",
    });
    expect(texts(card)).toContain("user:default/alice");
    const actionSet = card.body.find(
      (e: any) => e.type === "ActionSet" && e.actions[0].type === "Action.Execute",
    );
    expect(actionSet.actions[0]).toMatchObject({ verb: "command", data: { c: "show payments-api" } });
    expect(adaptiveCardErrors(card)).toEqual([]);
    // One reference per channel, for all its reply chains.
    expect(conversations.saved.get("19:3f2c8e@thread.tacv2")).toMatchObject({
      conversation: { id: "19:3f2c8e@thread.tacv2" },
    });
  });

  it("answers a personal chat without a mention, and a group chat with the mention mid-sentence", async () => {
    await post(base, fixture("message-personal", serviceUrl));
    const personal = await connector.waitFor((c) => c.conversationId === "a:1personal-chat-alice");
    expect(texts(cardOf(personal))).toContain("payments-api");

    await post(
      base,
      fixture("message-group-chat", serviceUrl, { text: "owner of <at>Callboard</at>&nbsp;payments-api" }),
    );
    const group = await connector.waitFor((c) => c.conversationId === "19:groupchat-7788@thread.v2");
    expect(cardOf(group).body[0].text).toBe("payments-api");
  });

  it("removes every mention of the bot, wherever it is, and keeps other people's names", () => {
    const activity = JSON.parse(readFileSync(new URL("message-group-chat.json", FIXTURES), "utf8"));
    expect(commandText(activity)).toBe("owner of payments-api Bob Builder?");
    expect(
      commandText({
        ...activity,
        text: "<at>Callboard</at> who owns x <at>Callboard</at>",
        entities: [activity.entities[0]],
      }),
    ).toBe("who owns x");
  });

  it("processes a retried activity (same id) once", async () => {
    const activity = fixture("message-personal", serviceUrl, { id: "dup-1", text: "show dup-check" });
    expect((await post(base, activity)).status).toBe(200);
    expect((await post(base, activity)).status).toBe(200);
    await connector.waitFor((c) => JSON.stringify(c.body).includes("component:dup-check"));
    // A later message proves the duplicate had its chance to be sent before we count.
    await post(base, fixture("message-personal", serviceUrl, { id: "dup-2", text: "show after-dup" }));
    await connector.waitFor((c) => JSON.stringify(c.body).includes("component:after-dup"));
    expect(
      connector.calls.filter((c) => JSON.stringify(c.body).includes("component:dup-check")),
    ).toHaveLength(1);
  });

  it("answers the same activity id in two conversations: ids are only unique per conversation", async () => {
    const personal = fixture("message-personal", serviceUrl, {
      id: "1732530999999",
      text: "show same-id-one",
    });
    const group = fixture("message-group-chat", serviceUrl, {
      id: "1732530999999",
      text: "show same-id-two",
    });
    expect((await post(base, personal)).status).toBe(200);
    expect((await post(base, group)).status).toBe(200);
    await connector.waitFor((c) => JSON.stringify(c.body).includes("component:same-id-one"));
    await connector.waitFor((c) => JSON.stringify(c.body).includes("component:same-id-two"));
  });

  it("welcomes on install and remembers the conversation for proactive messages", async () => {
    const activity = fixture("conversation-update-bot-added", serviceUrl);
    expect((await post(base, activity)).status).toBe(200);
    const call = await connector.waitFor((c) => c.conversationId === "19:3f2c8e@thread.tacv2");
    expect(texts(cardOf(call))).toContain("Callboard");
    const reference = (await conversations.get("19:3f2c8e@thread.tacv2")) as any;
    expect(reference).toMatchObject({
      serviceUrl,
      conversation: { id: "19:3f2c8e@thread.tacv2" },
      channelId: "msteams",
    });
  });

  it("runs an Action.Execute command and returns the new card in the invoke response", async () => {
    const { status, body } = await post(base, fixture("invoke-adaptive-card-action", serviceUrl));
    expect(status).toBe(200);
    expect(body).toMatchObject({ statusCode: 200, type: "application/vnd.microsoft.card.adaptive" });
    expect(body.value.body[0].text).toBe("component:payments-api");
    expect(adaptiveCardErrors(body.value)).toEqual([]);
  });

  it("shortens a reply over the card size limit and shows the rest through a 'more' action", async () => {
    await post(base, fixture("message-personal", serviceUrl, { id: "big-1", text: "big" }));
    const call = await connector.waitFor((c) => JSON.stringify(c.body).includes("Everything"));
    const card = cardOf(call);
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThanOrEqual(28 * 1024);
    const more = card.body.at(-1).actions[0];
    expect(more).toMatchObject({ type: "Action.Execute", verb: "more", data: { m: expect.any(String) } });
    const shown = card.body.filter((e: any) => /^Item \d+/.test(e.text ?? "")).length;
    const next = await post(
      base,
      fixture("invoke-adaptive-card-action", serviceUrl, {
        value: { action: { type: "Action.Execute", verb: "more", data: more.data }, trigger: "manual" },
      }),
    );
    expect(next.body.value.body[0].text).toMatch(new RegExp(`^Item ${shown}: lorem`));
    expect(adaptiveCardErrors(next.body.value)).toEqual([]);
  });

  const submitPage = (data: Record<string, unknown>) =>
    post(
      base,
      fixture("invoke-task-submit", serviceUrl, { id: randomUUID(), value: { type: "task/submit", data } }),
    );

  it("opens a two-page form as a dialog, returns field errors, moves on, and posts the result", async () => {
    const fetched = await post(base, fixture("invoke-task-fetch", serviceUrl));
    expect(fetched.status).toBe(200);
    expect(fetched.body.task.type).toBe("continue");
    const page1 = fetched.body.task.value.card.content;
    expect(adaptiveCardErrors(page1)).toEqual([]);
    expect(page1.body.find((e: any) => e.id === "name")).toMatchObject({
      type: "Input.Text",
      label: "Name",
      isRequired: true,
    });
    expect(page1.body.find((e: any) => e.id === "description")).toMatchObject({ isMultiline: true });
    const data1 = page1.actions[0].data;
    expect(data1).toMatchObject({ callboard: { page: 0, intent: "next" } });

    const bad = await submitPage({ ...data1, name: "Orders API" });
    const errorCard = bad.body.task.value.card.content;
    expect(JSON.stringify(errorCard)).toContain("Use lower-case letters");
    expect(errorCard.body.find((e: any) => e.id === "name").value).toBe("Orders API");
    expect(adaptiveCardErrors(errorCard)).toEqual([]);

    const good = await submitPage({ ...data1, name: "orders-api", description: "Orders" });
    const page2 = good.body.task.value.card.content;
    expect(adaptiveCardErrors(page2)).toEqual([]);
    expect(page2.body.find((e: any) => e.id === "owner")).toMatchObject({
      type: "Input.ChoiceSet",
      style: "compact",
      choices: [
        { title: "team-payments", value: "group:default/team-payments" },
        { title: "team-platform", value: "group:default/team-platform" },
      ],
    });
    expect(page2.body.find((e: any) => e.id === "replicas")).toMatchObject({
      type: "Input.Number",
      value: 2,
    });
    expect(page2.body.find((e: any) => e.id === "public")).toMatchObject({ type: "Input.Toggle" });
    expect(page2.body.find((e: any) => e.id === "tags")).toMatchObject({ isMultiSelect: true });
    const data2 = page2.actions[0].data;
    expect(data2.callboard.page).toBe(1);

    const missing = await submitPage({ ...data2 });
    // The core checks required fields before the form's own validation.
    const missingCard = missing.body.task.value.card.content;
    const ownerAt = missingCard.body.findIndex((e: any) => e.id === "owner");
    expect(missingCard.body[ownerAt + 1]).toMatchObject({ text: "Owner is required.", color: "Attention" });

    const finalPage = {
      ...data2,
      owner: "group:default/team-payments",
      replicas: "3",
      public: "true",
      tags: "java,go",
    };
    const done = await submitPage(finalPage);
    expect(done.status).toBe(200);
    expect(done.body).toBeUndefined();
    const result = await connector.waitFor((c) => JSON.stringify(c.body).includes("Created orders-api"));
    // Into the conversation the form was opened in.
    expect(result.conversationId).toBe("a:1personal-chat-alice");
    expect(texts(cardOf(result))).toContain("Owner: group:default/team-payments, replicas 3, public true");

    // A double click, or Teams sending the submit again: the form does not run twice.
    const again = await submitPage(finalPage);
    expect(again.body.task).toEqual({ type: "message", value: "This form was already submitted." });
    expect(connector.calls.filter((c) => JSON.stringify(c.body).includes("Created orders-api"))).toHaveLength(
      1,
    );
  });

  it("keeps what was typed on a page through Back, and never shows a secret back", async () => {
    const page1 = (await post(base, fixture("invoke-task-fetch", serviceUrl))).body.task.value.card.content;
    const token = page1.body.find((e: any) => e.id === "token");
    expect(token).toMatchObject({ type: "Input.Text", style: "password", isRequired: false });
    const page2 = (await submitPage({ ...page1.actions[0].data, name: "keep-api", token: "hunter2-secret" }))
      .body.task.value.card.content;
    expect(page2.actions.map((a: any) => a.title)).toEqual(["Create", "Back"]);
    const back = page2.actions[1];
    expect(back).not.toHaveProperty("associatedInputs");
    // Back sends the page as typed, so Next again finds it.
    const shownAgain = (
      await submitPage({ ...back.data, owner: "group:default/team-platform", replicas: "5", tags: "go" })
    ).body.task.value.card.content;
    expect(shownAgain.body.find((e: any) => e.id === "name").value).toBe("keep-api");
    expect(shownAgain.body.find((e: any) => e.id === "token")).not.toHaveProperty("value");
    const next = (await submitPage({ ...shownAgain.actions[0].data, name: "keep-api" })).body.task.value.card
      .content;
    expect(next.body.find((e: any) => e.id === "owner").value).toBe("group:default/team-platform");
    expect(next.body.find((e: any) => e.id === "replicas").value).toBe(5);
    expect(next.body.find((e: any) => e.id === "tags").value).toBe("go");
    expect(connector.calls.some((c) => JSON.stringify(c.body).includes("hunter2-secret"))).toBe(false);
  });

  it("shows a result Teams refused to post in the dialog, and does not run the form again", async () => {
    const page1 = (await post(base, fixture("invoke-task-fetch", serviceUrl))).body.task.value.card.content;
    const page2 = (await submitPage({ ...page1.actions[0].data, name: "billing-api" })).body.task.value.card
      .content;
    const finalPage = { ...page2.actions[0].data, owner: "group:default/team-payments" };
    connector.failPosts = true;
    const undelivered = await submitPage(finalPage);
    connector.failPosts = false;
    expect(undelivered.status).toBe(200);
    expect(undelivered.body.task.type).toBe("message");
    expect(undelivered.body.task.value).toMatch(/could not be posted.*Created billing-api/);
    const again = await submitPage(finalPage);
    expect(again.body.task).toEqual({ type: "message", value: "This form was already submitted." });
    expect(connector.calls.filter((c) => JSON.stringify(c.body).includes("Created billing-api"))).toEqual([]);
  });

  it("offers a form from a command reply through a task/fetch button", async () => {
    await post(base, fixture("message-personal", serviceUrl, { id: "scaffold-1", text: "scaffold" }));
    const call = await connector.waitFor((c) => JSON.stringify(c.body).includes("Open New service"));
    const button = cardOf(call)
      .body.flatMap((e: any) => e.actions ?? [])
      .find((a: any) => a.title === "Open New service");
    // The session the core started for this reply's form, carried as the action codec's payload.
    expect(button).toMatchObject({
      type: "Action.Submit",
      data: { msteams: { type: "task/fetch" }, f: "new-service", s: expect.any(String) },
    });
    const fetched = await post(
      base,
      fixture("invoke-task-fetch", serviceUrl, { value: { type: "task/fetch", data: button.data } }),
    );
    expect(fetched.body.task.value.card.content.body[0].text).toBe("New service");
  });

  it("searches from the compose box and unfurls a pasted link", async () => {
    const query = await post(base, fixture("invoke-compose-query", serviceUrl));
    expect(query.status).toBe(200);
    const result = query.body.composeExtension;
    expect(result).toMatchObject({ type: "result", attachmentLayout: "list" });
    expect(result.attachments).toHaveLength(3);
    for (const attachment of result.attachments) {
      expect(attachment.contentType).toBe("application/vnd.microsoft.card.adaptive");
      expect(adaptiveCardErrors(attachment.content)).toEqual([]);
      expect(attachment.preview.contentType).toBe("application/vnd.microsoft.card.thumbnail");
    }
    expect(result.attachments[0].preview.content.title).toBe("payments-service-0");

    const link = await post(base, fixture("invoke-compose-query-link", serviceUrl));
    expect(link.body.composeExtension.attachments[0].content.body[0].text).toBe("payments-api");
    expect(adaptiveCardErrors(link.body.composeExtension.attachments[0].content)).toEqual([]);
  });

  it("posts and updates messages later in a remembered conversation, through the outbox", async () => {
    await post(base, fixture("message-personal", serviceUrl, { id: "pro-1", text: "help" }));
    const address = { adapter: "teams", conversation: "a:1personal-chat-alice" };
    const ref = await adapter.post(address, {
      text: "Scaffolding orders-api: 1 of 3",
      blocks: [{ type: "section", text: "Step 1 of 3" }],
    });
    expect(ref).toEqual({ address, id: expect.stringMatching(/^stand-in-/) });
    await adapter.update(ref, {
      text: "done",
      blocks: [{ type: "section", text: "Step 3 of 3: done" }],
    });
    const put = await connector.waitFor((c) => c.method === "PUT");
    expect(put.activityId).toBe(ref.id);
    expect(texts(cardOf(put))).toContain("Step 3 of 3");
    await expect(
      adapter.post({ adapter: "teams", conversation: "19:unknown@thread.v2" }, { text: "x", blocks: [] }),
    ).rejects.toThrow(/no conversation "19:unknown@thread.v2" is known/);
    await expect(
      adapter.post({ adapter: "slack", channel: "C1" }, { text: "x", blocks: [] }),
    ).rejects.toThrow(/Teams cannot deliver to/);
  });

  it("backs off when the connector throttles with 429 and Retry-After, and still delivers once", async () => {
    connector.throttleNext = 1;
    connector.retryAfterSeconds = 0;
    const before = connector.throttled;
    await post(base, fixture("message-personal", serviceUrl, { id: "throttle-1", text: "show throttled" }));
    await connector.waitFor((c) => JSON.stringify(c.body).includes("component:throttled"));
    expect(connector.throttled).toBe(before + 1);
    expect(
      connector.calls.filter((c) => JSON.stringify(c.body).includes("component:throttled")),
    ).toHaveLength(1);
  });

  it("answers an activity sent again after the Bot Connector refused the first answer, exactly once", async () => {
    connector.failPosts = true;
    const activity = fixture("message-personal", serviceUrl, { id: "resend-1", text: "show resent" });
    const first = await post(base, activity);
    connector.failPosts = false;
    // The turn failed (the answer was not delivered), so Teams sees an error and sends the activity again.
    expect(first.status).toBeGreaterThanOrEqual(500);
    expect(connector.failed).toBeGreaterThan(0);
    expect((await post(base, activity)).status).toBe(200);
    // A third copy, after the answer was delivered, is a retry of an answered activity.
    expect((await post(base, activity)).status).toBe(200);
    const answered = () =>
      connector.calls.filter(
        (c) => c.method === "POST" && JSON.stringify(c.body).includes("component:resent"),
      );
    await connector.waitFor((c) => JSON.stringify(c.body).includes("component:resent"));
    expect(answered()).toHaveLength(1);
  });

  it("refuses bodies that are too large or not JSON", async () => {
    expect((await post(base, "x".repeat(300 * 1024))).status).toBe(413);
    expect((await post(base, "{not json")).status).toBe(400);
  });

  it("answers malformed activities 400 naming the field, with no internals and no outbound call", async () => {
    const message = fixture("message-personal", serviceUrl, { id: "malformed-1" });
    const query = fixture("invoke-compose-query", serviceUrl);
    const without = (activity: Activity, field: string) => {
      const copy: Record<string, unknown> = { ...activity };
      delete copy[field];
      return JSON.stringify(copy);
    };
    const cases: [body: string, field: RegExp][] = [
      ["{}", /"type" is missing/],
      [without(message, "type"), /"type" is missing/],
      [without(message, "conversation"), /"conversation" is missing/],
      [JSON.stringify({ ...message, text: 42 }), /"text" must be a string/],
      [without(query, "value"), /"value" is missing/],
      [
        JSON.stringify({ ...query, value: { parameters: "payments" } }),
        /"value.parameters" must be an array/,
      ],
      [JSON.stringify({ ...message, serviceUrl: "not a url" }), /"serviceUrl" must be an http\(s\) URL/],
      [
        JSON.stringify({ ...message, serviceUrl: "file:///etc/passwd" }),
        /"serviceUrl" must be an http\(s\) URL/,
      ],
      // With no serviceUrl the SDK fell back to a public host and tried to post there for 5 s.
      [without(message, "serviceUrl"), /"serviceUrl" is missing/],
      ["null", /must be a JSON object/],
      ["[]", /must be a JSON object/],
      ['"x"', /must be a JSON object/],
    ];
    const callsBefore = connector.calls.length;
    for (const [body, field] of cases) {
      const res = await post(base, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body).toMatch(field);
      expect(res.body).not.toMatch(/TypeError|Cannot read|Invalid URL|getaddrinfo|req\.body|\n\s+at /);
    }
    expect(connector.calls.length).toBe(callsBefore);
  });

  it("sent only schema-valid cards within the size limit, and never went over a rate limit", () => {
    expect(connector.problems).toEqual([]);
    expect(connector.violations).toEqual([]);
  });
});

describe("Teams adapter trust", () => {
  it("refuses to start in production without an app id, naming the setting", async () => {
    const production = await services(true);
    expect(() => createTeamsAdapter({}, production)).toThrow(/MICROSOFT_APP_ID is not set/);
    expect(() => createTeamsAdapter({ appId: "x" }, production)).toThrow(/MICROSOFT_APP_PASSWORD is not/);
  });

  describe("with an app id and password", () => {
    const appId = "00000000-0000-0000-0000-00000000b07";
    const issuer = "https://api.botframework.test";
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const kid = "test-key-1";
    const connector = new BotConnectorStandIn();
    let openId: Server;
    let server: RunningHttpServer;
    let serviceUrl: string;

    beforeAll(async () => {
      serviceUrl = await connector.start();
      // The Bot Framework's OpenID metadata and signing keys, served locally so the SDK's own JWT checks run.
      const jwk = publicKey.export({ format: "jwk" });
      openId = createServer((req, res) => {
        const self = `http://127.0.0.1:${(openId.address() as AddressInfo).port}`;
        const body =
          req.url === "/keys"
            ? { keys: [{ kty: "RSA", use: "sig", kid, n: jwk.n, e: jwk.e, endorsements: ["msteams"] }] }
            : { issuer, jwks_uri: `${self}/keys`, id_token_signing_alg_values_supported: ["RS256"] };
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
      });
      await new Promise<void>((resolve) => openId.listen(0, "127.0.0.1", resolve));
      const metadataUrl = `http://127.0.0.1:${(openId.address() as AddressInfo).port}/.well-known/openidconfiguration`;
      // Outbound calls need an AAD token that MSAL would fetch from login.microsoftonline.com (MSAL insists
      // on an https authority, so no local stand-in is possible). Seed the SDK's token cache instead, as
      // if MSAL had already answered; the connector stand-in then sees the bearer token on each send.
      // `cache` is private in the typings but is the SDK's documented process-wide token cache.
      (AppCredentials as unknown as { cache: Map<string, unknown> }).cache.set(
        `${appId}https://api.botframework.com-cache`,
        {
          accessToken: "outbound-test-token",
          expiresOn: new Date(Date.now() + 3600_000),
        },
      );
      const adapter = createTeamsAdapter(
        {
          appId,
          appPassword: "not-a-real-secret",
          authSettings: {
            ToBotFromChannelOpenIdMetadataUrl: metadataUrl,
            ToBotFromChannelTokenIssuer: issuer,
          },
        },
        await services(true),
      );
      server = await startHttpServer({ routes: adapter.routes, port: 0, host: "127.0.0.1", log });
    });

    afterAll(async () => {
      await server?.close();
      await connector.stop();
      await new Promise<void>((resolve) => openId?.close(() => resolve()));
    });

    const token = (claims: Record<string, unknown>, key = privateKey) =>
      jwt.sign({ serviceurl: serviceUrl, ...claims }, key, {
        algorithm: "RS256",
        keyid: kid,
        issuer,
        audience: appId,
        expiresIn: "5m",
      });

    it("refuses a request without a token with 401", async () => {
      const res = await post(server.url, fixture("invoke-compose-query", serviceUrl));
      expect(res.status).toBe(401);
    });

    it("checks the token before the body: an unsigned malformed body gets 401, a signed one 400", async () => {
      const message = fixture("message-personal", serviceUrl);
      const { serviceUrl: _dropped, ...noServiceUrl } = message;
      const hostile = ["{}", "null", "[]", '"x"', "{not json", JSON.stringify({ ...message, text: 42 })];
      for (const body of hostile) {
        const res = await post(server.url, body);
        expect({ body, status: res.status }).toEqual({ body, status: 401 });
        expect(res.body).toBe("Unauthorized\n");
      }
      const signed = { authorization: `Bearer ${token({})}` };
      const calls = connector.calls.length;
      for (const [body, field] of [
        [JSON.stringify({ ...message, text: 42 }), /"text" must be a string/],
        [JSON.stringify(noServiceUrl), /"serviceUrl" is missing/],
        ["null", /must be a JSON object/],
        ["{not json", /not valid JSON/],
      ] as const) {
        const res = await post(server.url, body, signed);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
        expect(res.body).toMatch(field);
      }
      expect(connector.calls.length).toBe(calls);
    });

    it("refuses an activity whose serviceUrl is not the one its token was issued for", async () => {
      // Microsoft's trust rule for serviceUrl: the token's serviceurl claim must match the activity's.
      const elsewhere = fixture("message-personal", "https://attacker.example/");
      const res = await post(server.url, elsewhere, { authorization: `Bearer ${token({})}` });
      expect(res.status).toBe(401);
    });

    it("refuses a token signed by someone else, or for another app", async () => {
      const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
      const forged = await post(server.url, fixture("invoke-compose-query", serviceUrl), {
        authorization: `Bearer ${token({}, other)}`,
      });
      expect(forged.status).toBe(401);
      const wrongAudience = jwt.sign({ serviceurl: serviceUrl }, privateKey, {
        algorithm: "RS256",
        keyid: kid,
        issuer,
        audience: "someone-else",
        expiresIn: "5m",
      });
      const res = await post(server.url, fixture("invoke-compose-query", serviceUrl), {
        authorization: `Bearer ${wrongAudience}`,
      });
      expect(res.status).toBe(401);
    });

    it("accepts a valid Bot Framework token and replies with the bot's own outbound token", async () => {
      const query = await post(server.url, fixture("invoke-compose-query", serviceUrl), {
        authorization: `Bearer ${token({})}`,
      });
      expect(query.status).toBe(200);
      expect(query.body.composeExtension.attachments).toHaveLength(3);

      const message = await post(server.url, fixture("message-personal", serviceUrl), {
        authorization: `Bearer ${token({})}`,
      });
      expect(message.status).toBe(200);
      const call = await connector.waitFor((c) => c.conversationId === "a:1personal-chat-alice");
      expect(call.authorization).toBe("Bearer outbound-test-token");
    });
  });
});
