/**
 * The webhook endpoint GitHub delivers to (POST /github/webhook on the bot's HTTP server). The signature
 * (X-Hub-Signature-256, HMAC-SHA256 of the raw body with the webhook secret) is checked with @octokit/webhooks
 * before anything else is read or parsed: a missing or wrong one is a 401 and no work. A delivery id is
 * claimed in the event ledger shared by every replica, so a redelivery (GitHub's, or a replay) is answered once.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Webhooks } from "@octokit/webhooks";
import type { Logger } from "pino";
import type { HttpRoute } from "../../../plugins/api.ts";
import type { EventLedger } from "../../../state/ports.ts";
import type { WebhookEvents } from "./webhook-events.ts";

export const WEBHOOK_PATH = "/github/webhook";
/** GitHub caps payloads at 25 MB; nothing discovery uses comes close, so a smaller cap keeps memory bounded. */
export const WEBHOOK_MAX_BYTES = 5 * 1024 * 1024;
const LEDGER_SOURCE = "github-webhook";

export function webhookRoute(deps: {
  secret: string;
  ledger: EventLedger;
  events: WebhookEvents;
  log: Logger;
}): HttpRoute {
  const webhooks = new Webhooks({ secret: deps.secret });
  return {
    method: "POST",
    path: WEBHOOK_PATH,
    maxBodyBytes: WEBHOOK_MAX_BYTES,
    async handler(req, res, ctx) {
      const signature = header(req, "x-hub-signature-256");
      const body = await ctx.readBody();
      const text = body.toString("utf8");
      if (
        !signature ||
        !/^sha256=[0-9a-f]{64}$/.test(signature) ||
        !(await verify(webhooks, text, signature))
      ) {
        deps.log.warn(
          { delivery: header(req, "x-github-delivery"), signed: Boolean(signature) },
          "GitHub webhook refused: missing or wrong signature",
        );
        return answer(res, 401, { error: "signature missing or wrong" });
      }
      const event = header(req, "x-github-event");
      const delivery = header(req, "x-github-delivery");
      if (!event || !delivery || delivery.length > 100) {
        return answer(res, 400, { error: "X-GitHub-Event and X-GitHub-Delivery are required" });
      }
      let payload: unknown;
      try {
        payload = JSON.parse(text);
      } catch {
        return answer(res, 400, { error: "the body is not JSON" });
      }
      const claim = await deps.ledger.claim(LEDGER_SOURCE, delivery);
      if (!claim) return answer(res, 200, { status: "already handled", delivery });
      try {
        const outcome = await deps.events.handle(event, payload);
        await claim.done();
        deps.log.info({ event, delivery, outcome: outcome.summary }, "GitHub webhook handled");
        return answer(res, 200, { status: "handled", delivery, summary: outcome.summary });
      } catch (error) {
        // Released, so GitHub's redelivery (or a person's) is handled again.
        await claim.release();
        const invalid = (error as { name?: string }).name === "ZodError";
        deps.log.warn({ event, delivery, err: error }, "GitHub webhook failed");
        return answer(res, invalid ? 400 : 500, {
          error: invalid ? `the ${event} payload is not what GitHub sends` : "handling the delivery failed",
        });
      }
    },
  };
}

async function verify(webhooks: Webhooks, text: string, signature: string): Promise<boolean> {
  try {
    return await webhooks.verify(text, signature);
  } catch {
    return false;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === "string" ? value : undefined;
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
