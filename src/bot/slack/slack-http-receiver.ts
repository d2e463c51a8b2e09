import { ReceiverMultipleAckError, type App, type Receiver } from "@slack/bolt";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { isSslCheck, mediaType, parseSlackRequest } from "./request-body.ts";
import { checkSignature, checkTimestamp } from "./request-signature.ts";

export interface SlackHttpReceiverOptions {
  signingSecret: string;
  log: Logger;
  /** The largest body read; larger ones get 413 and are not read further. */
  maxBodyBytes?: number;
  /** The clock the five-minute window is measured on (tests pin it). */
  now?: () => number;
}

/**
 * Slack's largest request is a view_submission: a view of up to 250 kB, sent form-encoded, where JSON's
 * quotes and braces can nearly triple it. 2 MiB holds that with room; past it nothing is Slack.
 */
export const SLACK_MAX_BODY_BYTES = 2 * 1024 * 1024;

type Refusal = { status: 400 | 401 | 404 | 413 | 415; reason: string; shown: string };

const UNAUTHORIZED =
  "Unauthorized: not signed with this app's signing secret, or stamped more than five minutes from now.\n";

/**
 * The Slack HTTP endpoint as a Bolt Receiver. Bolt's own HTTPReceiver hands the parsed body to the App
 * unchecked and lets a throw in its request listener escape as an unhandled rejection, which ends the
 * process; here the transport is ours and the App only ever sees a verified, shape-checked body. Every
 * request is answered: 200 through ack, 401 for a missing or wrong signature or a timestamp outside the
 * window, 413/415/400 for what Slack never sends, 404 when nothing in the App handled it. The ack writes
 * the response at once, so an event is answered before any listener's work (the App acks events itself).
 */
export class SlackHttpReceiver implements Receiver {
  private app?: App;
  private readonly maxBodyBytes: number;
  private readonly now: () => number;

  constructor(private readonly options: SlackHttpReceiverOptions) {
    this.maxBodyBytes = options.maxBodyBytes ?? SLACK_MAX_BODY_BYTES;
    this.now = options.now ?? Date.now;
  }

  init(app: App): void {
    this.app = app;
  }

  /** The server is the bot's one HTTP server: nothing to listen on or close here. */
  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  /** The route handler. It never rejects: every failure is an HTTP answer and a log line. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.answer(req, res);
    } catch (error) {
      this.options.log.error({ err: error, surface: "slack" }, "Slack request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      if (!res.writableEnded) res.end("Internal error; it has been logged.\n");
    }
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > this.maxBodyBytes) return this.refuse(req, res, tooLarge(this.maxBodyBytes), true);
    const body = await readBody(req, this.maxBodyBytes);
    if (body === "aborted") return;
    if (body === "too large") return this.refuse(req, res, tooLarge(this.maxBodyBytes), true);

    const contentType = mediaType(req.headers["content-type"]);
    if (isSslCheck(contentType, body)) {
      res.writeHead(200).end();
      return;
    }
    const timestamp = req.headers["x-slack-request-timestamp"];
    const fresh = checkTimestamp(timestamp, this.now());
    if (!fresh.ok) return this.refuse(req, res, { status: 401, reason: fresh.reason, shown: UNAUTHORIZED });
    const signed = checkSignature(
      this.options.signingSecret,
      String(timestamp),
      req.headers["x-slack-signature"],
      body,
    );
    if (!signed.ok) return this.refuse(req, res, { status: 401, reason: signed.reason, shown: UNAUTHORIZED });

    const parsed = parseSlackRequest(contentType, body);
    switch (parsed.kind) {
      case "invalid": {
        const status = parsed.reason.startsWith("content type") ? 415 : 400;
        return this.refuse(req, res, {
          status,
          reason: parsed.reason,
          shown: `Bad request: ${parsed.reason}.\n`,
        });
      }
      case "url_verification":
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ challenge: parsed.challenge }));
        return;
      case "app_rate_limited":
        this.options.log.warn(
          { surface: "slack" },
          "Slack is dropping events: the app passed 30,000 events an hour",
        );
        res.writeHead(200).end();
        return;
      case "dispatch":
        return this.dispatch(req, res, parsed.body, parsed.what);
    }
  }

  private async dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    body: Record<string, unknown>,
    what: string,
  ): Promise<void> {
    if (!this.app) throw new Error("SlackHttpReceiver: the App has not been initialised");
    let acked = false;
    const ack = (response?: unknown): Promise<void> => {
      if (acked) return Promise.reject(new ReceiverMultipleAckError());
      acked = true;
      writeAck(res, response);
      return Promise.resolve();
    };
    const retryNum = req.headers["x-slack-retry-num"];
    const retryReason = req.headers["x-slack-retry-reason"];
    try {
      await this.app.processEvent({
        body,
        ack,
        ...(typeof retryNum === "string" && /^\d{1,3}$/.test(retryNum) ? { retryNum: Number(retryNum) } : {}),
        ...(typeof retryReason === "string" ? { retryReason } : {}),
      });
    } catch (error) {
      // Listener failures reach app.error inside the App; what escapes processEvent is Bolt reading a field
      // of the body as a shape it does not have, before any listener ran.
      this.options.log.warn({ err: error, surface: "slack", what }, "Bolt could not process a Slack request");
      if (!acked) {
        acked = true;
        return this.refuse(req, res, {
          status: 400,
          reason: `${what} could not be processed`,
          shown: `Bad request: this ${what} could not be processed.\n`,
        });
      }
      return;
    }
    if (!acked) {
      acked = true;
      this.refuse(req, res, {
        status: 404,
        reason: `nothing handles this ${what}`,
        shown: `Not handled: ${what}.\n`,
      });
    }
  }

  private refuse(req: IncomingMessage, res: ServerResponse, refusal: Refusal, unread = false): void {
    this.options.log.warn(
      {
        surface: "slack",
        status: refusal.status,
        reason: refusal.reason,
        contentType: req.headers["content-type"],
        contentLength: req.headers["content-length"],
        remote: req.socket.remoteAddress,
      },
      "Slack request refused",
    );
    res
      .writeHead(refusal.status, {
        "content-type": "text/plain",
        // The rest of an oversized body is not read: close the connection rather than drain it.
        ...(unread ? { connection: "close" } : {}),
      })
      .end(refusal.shown);
  }
}

function tooLarge(limit: number): Refusal {
  const mib = (limit / 1024 / 1024).toFixed(0);
  return {
    status: 413,
    reason: `body over ${limit} bytes`,
    shown: `Payload too large: a Slack request is at most ${mib} MiB here.\n`,
  };
}

/** The raw body, or where reading stopped: past `limit` bytes, or the client went away. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too large" | "aborted"> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: Buffer | "too large" | "aborted") => {
      req.off("data", onData).off("end", onEnd).off("error", onError).off("close", onClose);
      // Errors after this point (the client resetting a refused upload) must not go unhandled.
      req.on("error", () => undefined);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish("too large");
      } else chunks.push(chunk);
    };
    const onEnd = () => finish(Buffer.concat(chunks, size));
    const onError = () => finish("aborted");
    const onClose = () => {
      if (!req.complete) finish("aborted");
    };
    req.on("data", onData).on("end", onEnd).on("error", onError).on("close", onClose);
  });
}

/** What a listener passed to ack(): nothing, a string, or an object (a view response, options, a message). */
function writeAck(res: ServerResponse, response: unknown): void {
  if (response === undefined || response === null || response === "") res.writeHead(200).end();
  else if (typeof response === "string") res.writeHead(200, { "content-type": "text/plain" }).end(response);
  else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(response));
}
