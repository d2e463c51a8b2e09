import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeSlackApi } from "../../test/fixtures/slack/fake-slack-api.ts";
import {
  blockActionsBody,
  blockSuggestionBody,
  sendSigned,
  SIGNING_SECRET,
  slashCommandBody,
  viewSubmissionBody,
  type Actor,
} from "../../test/fixtures/slack/slack-requests.ts";
import { buildApp, type App } from "./build-app.ts";
import { enabledAdapters, loadConfig } from "./config.ts";
import { serve, type Serving } from "./serve.ts";

/** Sofia is in team-payments in the example organisation; her Slack id is on her User entity. */
const SOFIA: Actor = { userId: "U035D88AC0F", userName: "sofia" };
const FORM = "application/x-www-form-urlencoded";

type View = {
  private_metadata: string;
  blocks: Array<Record<string, unknown> & { block_id?: string; element?: Record<string, unknown> }>;
  submit?: { text: string };
  title: { text: string };
};

/**
 * Scaffolding as a person does it in Slack, over signed HTTP against the Web API stand-in and the whole app:
 * `/scaffold` lists the templates, `/scaffold node-service` opens the form (views.open), each page comes back
 * as the next view (errors on their field, the owner picker's type-ahead from the catalog), a review page,
 * Create; then one progress message in the channel, edited in place until it shows the output; the new
 * repository is on disk and `who owns` answers for the new component.
 */
describe("scaffolding from Slack, end to end", () => {
  const slack = new FakeSlackApi();
  const dataDir = mkdtempSync(join(tmpdir(), "cb-scaffold-slack-"));
  let app: App;
  let serving: Serving;
  let base = "";
  let trigger = 0;

  const send = (body: string) => sendSigned(base, body, FORM);
  const nextTrigger = () => `13345224609.${++trigger}`;

  beforeAll(async () => {
    await slack.start();
    slack.addPerson({ id: SOFIA.userId, name: "sofia", email: "sofia.marchetti@acmepayments.example" });
    const config = loadConfig(
      {
        CALLBOARD_DATA_DIR: dataDir,
        PORT: "0",
        HOST: "127.0.0.1",
        SLACK_BOT_TOKEN: "xoxb-test-0000-callboard",
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        CALLBOARD_BASE_URL: "http://callboard.test",
        CALLBOARD_SCAFFOLD_HEARTBEAT_SECONDS: "0.5",
        CALLBOARD_SCAFFOLD_HEARTBEAT_TIMEOUT_SECONDS: "5",
      },
      { cwd: dataDir },
    );
    app = await buildApp(config, pino({ level: "silent" }));
    serving = await serve(app, enabledAdapters(config));
    app.startTaskWorker();
    base = serving.http!.url;
  }, 60_000);

  afterAll(async () => {
    await serving?.stop();
    await app?.close();
    await slack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("lists the templates this person may run, with a button each", async () => {
    const answered = slack.waitForResponse("list");
    await send(slashCommandBody("/scaffold", "", slack.responseUrl("list"), nextTrigger(), SOFIA));
    const text = JSON.stringify((await answered).args);
    expect(text).toContain("Create Node.js service");
    expect(text).toContain("Create Documentation site");
  });

  it("refuses a template that does not exist, naming the ones that do", async () => {
    const answered = slack.waitForResponse("nope");
    await send(
      slashCommandBody("/scaffold", "no-such-thing", slack.responseUrl("nope"), nextTrigger(), SOFIA),
    );
    expect(JSON.stringify((await answered).args)).toContain('No template named \\"no-such-thing\\"');
  });

  it("runs node-service from the slash command to a registered component, progress in one message", async () => {
    const opened = slack.waitFor((call) => call.method === "views.open");
    await send(slashCommandBody("/scaffold", "node-service", slack.responseUrl("run"), nextTrigger(), SOFIA));
    let view = (await opened).args.view as View;
    expect(view.title.text).toBe("Node.js service");
    expect(view.submit?.text).toBe("Next");

    // The owner picker's type-ahead: groups from the catalog, as its catalogFilter (kind: Group) says.
    const owner = view.blocks.find((b) => b.block_id === "owner")!;
    const suggested = await send(
      blockSuggestionBody({
        actionId: String(owner.element!.action_id),
        blockId: "owner",
        value: "payments",
        view: { private_metadata: view.private_metadata, callback_id: "callboard_form" },
      }),
    );
    const options = (JSON.parse(suggested.body) as { options: Array<{ value: string }> }).options;
    expect(options.map((o) => o.value)).toContain("group:default/team-payments");
    expect(options.every((o) => o.value.startsWith("group:"))).toBe(true);

    const page1 = (name: string) => ({
      name: { value: { type: "plain_text_input", value: name } },
      description: {
        value: { type: "plain_text_input", value: "Tells customers their refund is on its way." },
      },
      owner: {
        [String(owner.element!.action_id)]: {
          type: "external_select",
          selected_option: { value: "group:default/team-payments" },
        },
      },
    });
    const submit = async (values: Record<string, Record<string, Record<string, unknown>>>) => {
      const sent = await send(viewSubmissionBody({ view, values, triggerId: nextTrigger(), actor: SOFIA }));
      expect(sent.status).toBe(200);
      return sent.body ? (JSON.parse(sent.body) as Record<string, unknown>) : {};
    };

    // A name the template's pattern refuses: the error is on its field, the page stays.
    const refused = await submit(page1("Refund Notifier!"));
    expect(refused.response_action).toBe("errors");
    expect(Object.keys(refused.errors as object)).toEqual(["name"]);

    const page2 = await submit(page1("refund-notifier"));
    expect(page2.response_action).toBe("update");
    view = page2.view as View;
    expect(JSON.stringify(view.blocks)).toContain("Step 2 of 4");

    const page3 = await submit({
      port: { value: { type: "number_input", value: "8081" } },
      database: { value: { type: "static_select", selected_option: { value: "postgres" } } },
      features: { value: { type: "multi_static_select", selected_options: [{ value: "metrics" }] } },
    });
    view = page3.view as View;
    const review = await submit({
      repoUrl: {
        value: { type: "plain_text_input", value: "local?owner=acme-payments&repo=refund-notifier" },
      },
    });
    view = review.view as View;
    const shown = JSON.stringify(view.blocks);
    expect(shown).toContain("Step 4 of 4");
    expect(shown).toContain("refund-notifier");
    expect(shown).toContain("PostgreSQL");
    expect(view.submit?.text).toBe("Create service");

    const firstPost = slack.waitFor(
      (call) => call.method === "chat.postMessage" && call.args.channel === "C0PLATFORM",
    );
    const done = await submit({});
    expect(done.response_action).toBe("clear");
    const posted = await firstPost;
    expect(String(posted.args.text)).toMatch(/^Node.js service: (queued|running)/);

    // One message, edited in place until it shows the template's output.
    const finished = await slack.waitFor(
      (call) => call.method === "chat.update" && /completed/.test(String(call.args.text)),
      30_000,
    );
    const ts = String(finished.args.ts);
    const message = slack.message(ts)!;
    const final = JSON.stringify(message.blocks);
    expect(String(finished.args.text)).toMatch(/^Node.js service: completed in /);
    expect(final).toContain("Render the skeleton");
    expect(final).toContain("Register in the catalog");
    expect(final).toContain("Next steps");
    expect(final).toContain("who owns refund-notifier");
    expect(final).toContain("http://callboard.test/catalog/default/component/refund-notifier");
    expect(
      slack.calls.filter((call) => call.method === "chat.postMessage" && call.args.channel === "C0PLATFORM"),
    ).toHaveLength(1);
    expect(slack.violations).toEqual([]);

    expect(
      existsSync(join(dataDir, "repositories", "local", "acme-payments", "refund-notifier.git", "HEAD")),
    ).toBe(true);
    const owned = slack.waitForResponse("owns");
    await send(
      slashCommandBody("/whoowns", "refund-notifier", slack.responseUrl("owns"), nextTrigger(), SOFIA),
    );
    expect(JSON.stringify((await owned).args)).toContain("Payments Team");
  }, 60_000);

  it("lists the task with scaffold tasks, shows its log, and refuses to cancel or retry a completed task", async () => {
    const listed = slack.waitForResponse("tasks");
    await send(
      slashCommandBody("/callboard", "scaffold tasks", slack.responseUrl("tasks"), nextTrigger(), SOFIA),
    );
    const text = JSON.stringify((await listed).args);
    expect(text).toContain("Node.js service");
    expect(text).toContain("completed");
    const id = /scaffold log ([0-9a-f-]{36})/.exec(text)![1]!;

    const log = slack.waitForResponse("log");
    await send(
      slashCommandBody(
        "/callboard",
        `scaffold log ${id.slice(0, 8)}`,
        slack.responseUrl("log"),
        nextTrigger(),
        SOFIA,
      ),
    );
    expect(JSON.stringify((await log).args)).toContain("Finished step Register in the catalog");

    const cancel = slack.waitForResponse("cancel");
    await send(
      slashCommandBody(
        "/callboard",
        `scaffold cancel ${id}`,
        slack.responseUrl("cancel"),
        nextTrigger(),
        SOFIA,
      ),
    );
    expect(JSON.stringify((await cancel).args)).toContain("has already ended (completed)");

    const retry = slack.waitForResponse("retry");
    await send(
      slashCommandBody(
        "/callboard",
        `scaffold retry ${id}`,
        slack.responseUrl("retry"),
        nextTrigger(),
        SOFIA,
      ),
    );
    expect(JSON.stringify((await retry).args)).toContain("only a failed or cancelled task can be retried");

    // Someone else may not read it.
    const other: Actor = { userId: "U0BDCBC33BE", userName: "daniel" };
    slack.addPerson({ id: other.userId, name: "daniel", email: "daniel.osei@acmepayments.example" });
    const theirs = slack.waitForResponse("theirs");
    await send(
      slashCommandBody("/callboard", `scaffold log ${id}`, slack.responseUrl("theirs"), nextTrigger(), other),
    );
    expect(JSON.stringify((await theirs).args)).toContain(
      "only they and Callboard's admins may read the log of it",
    );
  }, 30_000);

  it("opens a template's form from the list's button", async () => {
    const opened = slack.waitFor(
      (call) => call.method === "views.open" && JSON.stringify(call.args).includes("Documentation site"),
    );
    await send(
      blockActionsBody({
        actionId: "cb_0",
        value: JSON.stringify({ c: "scaffold docs-site" }),
        label: "Create Documentation site",
        channel: "C0PLATFORM",
        messageTs: "1700000500.000100",
        triggerId: nextTrigger(),
        responseUrl: slack.responseUrl("button"),
        actor: SOFIA,
      }),
    );
    expect(((await opened).args.view as View).title.text).toBe("Documentation site");
  });
});
