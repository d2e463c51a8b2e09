/**
 * Form submit to the first progress message, through the Slack stand-in (part of npm run bench:scaffold): the
 * whole app in this process with the Slack adapter on signed HTTP, a person opening node-service with
 * `/scaffold`, filling its pages, and pressing Create on the review page. Timed from sending that
 * view_submission to the Web API stand-in receiving the chat.postMessage of the task's progress. Each run uses
 * a channel of its own (chat.postMessage's pace is per channel) and waits for its task to complete, so runs do
 * not queue behind each other; the worker runs the task beside the post, as in production.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { buildApp } from "../src/app/build-app.ts";
import { enabledAdapters, loadConfig } from "../src/app/config.ts";
import { serve } from "../src/app/serve.ts";
import { FakeSlackApi } from "../test/fixtures/slack/fake-slack-api.ts";
import {
  sendSigned,
  SIGNING_SECRET,
  slashCommandBody,
  viewSubmissionBody,
  type Actor,
} from "../test/fixtures/slack/slack-requests.ts";

const SOFIA: Actor = { userId: "U035D88AC0F", userName: "sofia" };
const FORM = "application/x-www-form-urlencoded";

type View = {
  private_metadata: string;
  blocks: Array<{ block_id?: string; element?: { action_id?: string } }>;
};

export async function measureFirstProgress(runs: number): Promise<number[]> {
  const slack = new FakeSlackApi();
  await slack.start();
  slack.addPerson({ id: SOFIA.userId, name: "sofia", email: "sofia.marchetti@acmepayments.example" });
  const dataDir = mkdtempSync(join(tmpdir(), "cb-bench-scaffold-chat-"));
  const config = loadConfig(
    {
      CALLBOARD_DATA_DIR: dataDir,
      PORT: "0",
      HOST: "127.0.0.1",
      SLACK_BOT_TOKEN: "xoxb-test-0000-callboard",
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      CALLBOARD_BASE_URL: "http://callboard.test",
    },
    { cwd: dataDir },
  );
  const app = await buildApp(config, pino({ level: "silent" }));
  const serving = await serve(app, enabledAdapters(config));
  app.startTaskWorker();
  const base = serving.http!.url;
  let trigger = 0;
  const send = (body: string) => sendSigned(base, body, FORM);
  const times: number[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      const channel = `C0BENCH${String(run).padStart(4, "0")}`;
      slack.addChannel(channel, { name: `bench-${run}`, member: true });
      const openTrigger = `bench.${++trigger}`;
      const opened = slack.waitFor(
        (call) => call.method === "views.open" && call.args.trigger_id === openTrigger,
        20_000,
      );
      await send(
        slashCommandBody(
          "/scaffold",
          "node-service",
          slack.responseUrl(`b${run}`),
          openTrigger,
          SOFIA,
          channel,
        ),
      );
      let view = (await opened).args.view as View;
      const owner = String(view.blocks.find((b) => b.block_id === "owner")!.element!.action_id);
      const name = `bench-service-${run}`;
      const pages: Array<Record<string, Record<string, Record<string, unknown>>>> = [
        {
          name: { value: { type: "plain_text_input", value: name } },
          owner: {
            [owner]: { type: "external_select", selected_option: { value: "group:default/team-payments" } },
          },
        },
        { port: { value: { type: "number_input", value: "8080" } } },
        { repoUrl: { value: { type: "plain_text_input", value: `local?owner=acme-payments&repo=${name}` } } },
      ];
      for (const values of pages) {
        const sent = await send(
          viewSubmissionBody({ view, values, triggerId: `bench.${++trigger}`, actor: SOFIA }),
        );
        const answer = JSON.parse(sent.body) as { response_action: string; view?: View; errors?: unknown };
        if (!answer.view) throw new Error(`page refused: ${JSON.stringify(answer.errors ?? answer)}`);
        view = answer.view;
      }
      const posted = slack.waitFor(
        (call) => call.method === "chat.postMessage" && call.args.channel === channel,
        20_000,
      );
      const completed = slack.waitFor(
        (call) =>
          call.method === "chat.update" &&
          call.args.channel === channel &&
          /completed/.test(String(call.args.text)),
        60_000,
      );
      const started = performance.now();
      await send(viewSubmissionBody({ view, values: {}, triggerId: `bench.${++trigger}`, actor: SOFIA }));
      times.push((await posted).at - started);
      await completed;
    }
  } finally {
    await serving.stop();
    await app.close();
    await slack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return times;
}
