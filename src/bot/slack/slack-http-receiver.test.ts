import { request } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSlackHarness, type SlackHarness } from "../../../test/fixtures/slack/harness.ts";
import { ALICE, sendSigned, sign, slashCommandBody } from "../../../test/fixtures/slack/slack-requests.ts";
import { testPlugin } from "../../../test/fixtures/slack/test-plugin.ts";
import { SLACK_MAX_BODY_BYTES } from "./slack-http-receiver.ts";

const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";

let bot: SlackHarness;

beforeAll(async () => {
  bot = await startSlackHarness({ plugins: [testPlugin] });
  bot.api.addPerson({ id: ALICE.userId, name: "alice", email: "alice@acme.example" });
});

afterAll(async () => {
  await bot.close();
});

afterEach(() => {
  expect(bot.api.violations).toEqual([]);
  bot.api.reset();
});

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const interaction = (payload: string) => form({ payload });

/** The answer still works: a real command, answered through its response_url. */
async function stillAnswers(id: string): Promise<void> {
  const body = slashCommandBody("/callboard", "who owns payments-api", bot.api.responseUrl(id), `t.${id}`);
  const sent = await sendSigned(bot.server.url, body, FORM);
  expect(sent.status).toBe(200);
  const answer = await bot.api.waitForResponse(id);
  expect(answer.args.text).toBe("payments-api is owned by payments");
}

/** No stack, no error class, no path: what a refused request is told is about the request only. */
function expectNoInternals(text: string): void {
  expect(text).not.toMatch(/TypeError|SyntaxError|ZodError|node_modules|\bat \S+ \(|\.ts:\d|\.js:\d/);
}

/**
 * Bodies Slack never sends, each in the encoding it could arrive in. Several of them threw inside Bolt's
 * HTTPReceiver (`payload=null`: "Cannot read properties of null (reading 'ssl_check')"), as an unhandled
 * rejection that ends the process.
 */
const hostile: { name: string; body: string; type: string | null; status: number }[] = [
  { name: "JSON null", body: "null", type: JSON_TYPE, status: 400 },
  { name: "JSON []", body: "[]", type: JSON_TYPE, status: 400 },
  { name: 'JSON "x"', body: '"x"', type: JSON_TYPE, status: 400 },
  { name: "JSON {}", body: "{}", type: JSON_TYPE, status: 400 },
  { name: "JSON 42", body: "42", type: JSON_TYPE, status: 400 },
  { name: "JSON true", body: "true", type: JSON_TYPE, status: 400 },
  { name: "not JSON", body: "{not json", type: JSON_TYPE, status: 400 },
  { name: "empty JSON body", body: "", type: JSON_TYPE, status: 400 },
  {
    name: "event_callback without an event",
    body: '{"type":"event_callback","event_id":"Ev1"}',
    type: JSON_TYPE,
    status: 400,
  },
  {
    name: "event_callback with a null event",
    body: '{"type":"event_callback","event_id":"Ev1","event":null}',
    type: JSON_TYPE,
    status: 400,
  },
  {
    name: "an event whose item is null",
    body: '{"type":"event_callback","event_id":"Ev2","event":{"type":"reaction_added","user":"U1","item":null}}',
    type: JSON_TYPE,
    status: 400,
  },
  {
    name: "an app_mention with no text",
    body: '{"type":"event_callback","event_id":"Ev3","event":{"type":"app_mention","channel":"C0PLATFORM","ts":"1.2"}}',
    type: JSON_TYPE,
    status: 400,
  },
  {
    name: "url_verification without a challenge",
    body: '{"type":"url_verification"}',
    type: JSON_TYPE,
    status: 400,
  },
  {
    name: "an interaction sent as JSON",
    body: '{"type":"block_actions","actions":[]}',
    type: JSON_TYPE,
    status: 400,
  },
  { name: "payload=null", body: interaction("null"), type: FORM, status: 400 },
  { name: "payload=[]", body: interaction("[]"), type: FORM, status: 400 },
  { name: 'payload="x"', body: interaction('"x"'), type: FORM, status: 400 },
  { name: "payload=42", body: interaction("42"), type: FORM, status: 400 },
  { name: "payload={}", body: interaction("{}"), type: FORM, status: 400 },
  { name: "payload that is not JSON", body: interaction("{nope"), type: FORM, status: 400 },
  {
    name: "block_actions with no actions",
    body: interaction('{"type":"block_actions","user":{"id":"U1"},"trigger_id":"t","actions":[]}'),
    type: FORM,
    status: 400,
  },
  {
    name: "block_actions with a null user",
    body: interaction(
      '{"type":"block_actions","user":null,"trigger_id":"t","actions":[{"action_id":"cb_0","type":"button"}]}',
    ),
    type: FORM,
    status: 400,
  },
  {
    name: "view_submission without a view",
    body: interaction('{"type":"view_submission","user":{"id":"U1"}}'),
    type: FORM,
    status: 400,
  },
  {
    name: "block_suggestion with a null channel",
    body: interaction(
      '{"type":"block_suggestion","user":{"id":"U1"},"action_id":"pick|owner","block_id":"b","value":"p","channel":null}',
    ),
    type: FORM,
    status: 400,
  },
  {
    name: "an interaction type nobody sends",
    body: interaction('{"type":"dialog_submission","user":{"id":"U1"}}'),
    type: FORM,
    status: 400,
  },
  {
    name: "a slash command missing its fields",
    body: form({ command: "/callboard" }),
    type: FORM,
    status: 400,
  },
  { name: "an empty form", body: "", type: FORM, status: 400 },
  { name: "a form of unknown fields", body: "a=b&c=d", type: FORM, status: 400 },
  { name: "text/plain", body: "{}", type: "text/plain", status: 415 },
  { name: "no content type", body: "payload=null", type: null, status: 415 },
  { name: "multipart", body: "--x--", type: "multipart/form-data; boundary=x", status: 415 },
];

describe("requests Slack never sends", () => {
  it.each(hostile)("$name: signed, it is refused with $status and logged", async ({ body, type, status }) => {
    const logged = bot.logLines.length;
    const sent = await sendSigned(bot.server.url, body, type);
    expect(sent.status).toBe(status);
    expectNoInternals(sent.body);
    const refusal = bot.logLines.slice(logged).find((line) => line.includes("Slack request refused"));
    expect(JSON.parse(refusal!)).toMatchObject({ level: 40, status });
  });

  it.each(hostile)(
    "$name: unsigned, or signed with another secret, it is refused with 401",
    async ({ body, type }) => {
      const unsigned = await sendSigned(bot.server.url, body, type, { signature: null });
      expect(unsigned.status).toBe(401);
      expectNoInternals(unsigned.body);
      const forged = await sendSigned(bot.server.url, body, type, { secret: "not-the-signing-secret" });
      expect(forged.status).toBe(401);
    },
  );

  it("keeps serving after every one of them: a command is answered and nothing else reached Slack", async () => {
    await stillAnswers("after-hostile");
    expect(bot.api.calls.map((c) => c.method).filter((m) => m !== "users.info")).toEqual(["response_url"]);
  });

  it("refuses a request with no timestamp, no signature, or neither, with 401", async () => {
    const body = slashCommandBody("/callboard", "help", bot.api.responseUrl("h1"), "t.h1");
    expect((await sendSigned(bot.server.url, body, FORM, { omitTimestamp: true })).status).toBe(401);
    expect((await sendSigned(bot.server.url, body, FORM, { signature: null })).status).toBe(401);
    expect(
      (await sendSigned(bot.server.url, body, FORM, { omitTimestamp: true, signature: null })).status,
    ).toBe(401);
    expect((await sendSigned(bot.server.url, body, FORM, { signature: "v0=" + "0".repeat(64) })).status).toBe(
      401,
    );
    expect((await sendSigned(bot.server.url, body, FORM, { signature: "v1=abc" })).status).toBe(401);
    expect((await sendSigned(bot.server.url, body, FORM, { timestamp: -5 })).status).toBe(401);
    await stillAnswers("after-headers");
  });

  it("drops unknown slash command fields instead of letting them change what Bolt takes the request for", async () => {
    const body = `${slashCommandBody("/callboard", "who owns payments-api", bot.api.responseUrl("stray"), "t.s")}&event=x&actions=y`;
    expect((await sendSigned(bot.server.url, body, FORM)).status).toBe(200);
    expect((await bot.api.waitForResponse("stray")).args.text).toBe("payments-api is owned by payments");
  });

  it("refuses a body over the limit with 413, signed or not, without reading it all", async () => {
    const huge = "payload=" + "x".repeat(SLACK_MAX_BODY_BYTES + 1);
    for (const signed of [true, false]) {
      const timestamp = Math.floor(Date.now() / 1000);
      const status = await postRaw(bot.server.url, huge, {
        "content-type": FORM,
        "x-slack-request-timestamp": String(timestamp),
        ...(signed ? { "x-slack-signature": sign(huge, timestamp) } : {}),
      });
      expect(status).toBe(413);
    }
    // Sent without a Content-Length, the limit is found while reading.
    const timestamp = Math.floor(Date.now() / 1000);
    const status = await postRaw(
      bot.server.url,
      huge,
      {
        "content-type": FORM,
        "x-slack-request-timestamp": String(timestamp),
        "x-slack-signature": sign(huge, timestamp),
      },
      true,
    );
    expect(status).toBe(413);
    await stillAnswers("after-huge");
  });

  it("answers Slack's unsigned ssl_check with 200 and runs nothing", async () => {
    const sent = await sendSigned(bot.server.url, "ssl_check=1&token=gIkuvaNzQIHg97ATvDxqgjtO", FORM, {
      signature: null,
    });
    expect(sent.status).toBe(200);
    expect(sent.body).toBe("");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(bot.api.calls).toEqual([]);
  });

  it("answers a well-formed request nothing handles with 404, not a hang", async () => {
    const shortcut = interaction(
      JSON.stringify({
        type: "shortcut",
        callback_id: "not_ours",
        trigger_id: "t.sc",
        user: { id: ALICE.userId, team_id: "T0ACME001" },
        team: { id: "T0ACME001" },
      }),
    );
    const sent = await sendSigned(bot.server.url, shortcut, FORM);
    expect(sent.status).toBe(404);
    await stillAnswers("after-unhandled");
  });
});

describe("the five-minute window (X-Slack-Request-Timestamp)", () => {
  const command = (id: string) =>
    slashCommandBody("/callboard", "who owns payments-api", bot.api.responseUrl(id), `t.${id}`);

  it("refuses a request stamped six minutes ahead, as one six minutes old", async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await sendSigned(bot.server.url, command("w1"), FORM, { timestamp: now + 6 * 60 })).status).toBe(
      401,
    );
    expect((await sendSigned(bot.server.url, command("w2"), FORM, { timestamp: now - 6 * 60 })).status).toBe(
      401,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(bot.api.calls).toEqual([]);
  });

  it("takes a request 300 s either side of the bot's clock and refuses one 301 s away", async () => {
    // A pinned clock: the edges are exact whatever the wall clock does while the test runs.
    const nowSeconds = 1_800_000_000;
    const pinned = await startSlackHarness({ plugins: [testPlugin], now: () => nowSeconds * 1000 + 999 });
    try {
      const send = (id: string, offset: number) =>
        sendSigned(
          pinned.server.url,
          slashCommandBody("/callboard", "who owns payments-api", pinned.api.responseUrl(id), `t.${id}`),
          FORM,
          { timestamp: nowSeconds + offset },
        );
      expect((await send("e1", -300)).status).toBe(200);
      expect((await send("e2", 300)).status).toBe(200);
      expect((await send("e3", -301)).status).toBe(401);
      expect((await send("e4", 301)).status).toBe(401);
      await pinned.api.waitForResponse("e1");
      await pinned.api.waitForResponse("e2");
      await pinned.adapter.drain();
      expect(pinned.api.calls.map((c) => c.responseId).filter(Boolean)).toEqual(
        expect.arrayContaining(["e1", "e2"]),
      );
      expect(pinned.api.calls.some((c) => c.responseId === "e3" || c.responseId === "e4")).toBe(false);
    } finally {
      await pinned.close();
    }
  });
});

/**
 * A POST with node:http, which reads the response even when the server answers before the body is all sent
 * and closes the connection (fetch reports that as a network error instead).
 */
function postRaw(
  baseUrl: string,
  body: string,
  headers: Record<string, string>,
  chunked = false,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${baseUrl}/slack/events`,
      {
        method: "POST",
        headers: chunked ? headers : { ...headers, "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    // The server may close the connection while the rest of the body is still being written.
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE" && error.code !== "ECONNRESET") reject(error);
    });
    if (chunked) {
      const chunk = body.slice(0, 64 * 1024);
      for (let at = 0; at < body.length; at += chunk.length) req.write(body.slice(at, at + chunk.length));
      req.end();
    } else req.end(body);
  });
}
