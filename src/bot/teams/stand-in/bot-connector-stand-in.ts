import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { adaptiveCardErrors } from "./card-validator.ts";

/**
 * A local stand-in for the Bot Connector service (the `serviceUrl` of Teams activities). It records what the
 * SDK sends, answers like the real service, and checks every Adaptive Card attachment against the 1.5
 * schema and Teams' message size limit, so a test or benchmark fails when the bot would be refused.
 * For tests and benchmarks only.
 */
export interface RecordedCall {
  method: string;
  path: string;
  conversationId: string;
  /** The activity id in the path: the replyToId for replies, the updated id for PUT. */
  activityId?: string;
  body: Record<string, unknown>;
  authorization?: string;
  at: number;
  problems: string[];
}

export interface Member {
  id: string;
  name?: string;
  aadObjectId?: string;
  email?: string;
  userPrincipalName?: string;
}

export const TEAMS_MESSAGE_LIMIT_BYTES = 28 * 1024;

export class BotConnectorStandIn {
  readonly calls: RecordedCall[] = [];
  readonly members = new Map<string, Member>();
  /** Answer the next N activity posts with 429 and this Retry-After (seconds). */
  throttleNext = 0;
  retryAfterSeconds = 0;
  throttled = 0;
  /** TCP connections accepted: shows whether the SDK reuses connections. */
  connections = 0;
  private server?: Server;
  private nextId = 1;
  private waiters: { predicate: (c: RecordedCall) => boolean; resolve: (c: RecordedCall) => void }[] = [];
  url = "";

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body, headers }) => {
        res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
      });
    });
    // Like the real service, keep client connections open longer than the SDK's pool keeps them idle:
    // otherwise a reused socket can be closed under a request and the SDK's retry backoff shows as latency.
    this.server.keepAliveTimeout = 65_000;
    this.server.on("connection", () => this.connections++);
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Resolves with the first recorded call (already made or still to come) that matches. */
  waitFor(predicate: (c: RecordedCall) => boolean, timeoutMs = 10_000): Promise<RecordedCall> {
    const found = this.calls.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error("stand-in connector: expected call never came")),
        timeoutMs,
      );
      this.waiters.push({
        predicate,
        resolve: (c) => {
          clearTimeout(timer);
          resolve(c);
        },
      });
    });
  }

  /** Every schema or size problem seen so far. */
  get problems(): string[] {
    return this.calls.flatMap((c) => c.problems.map((p) => `${c.method} ${c.path}: ${p}`));
  }

  private async handle(
    req: IncomingMessage,
  ): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const raw = Buffer.concat(chunks).toString("utf8");
    const path = (req.url ?? "/").split("?")[0]!;
    const match = /^\/v3\/conversations\/([^/]+)(?:\/(activities|members)(?:\/([^/]+))?)?$/.exec(path);
    if (!match) return { status: 404, body: { error: { code: "NotFound", message: path } } };
    const conversationId = decodeURIComponent(match[1]!);
    const collection = match[2];
    const item = match[3] ? decodeURIComponent(match[3]) : undefined;
    if (req.method === "GET" && collection === "members" && item) {
      const member = this.members.get(item);
      return member
        ? { status: 200, body: member }
        : { status: 404, body: { error: { code: "MemberNotFound", message: item } } };
    }
    if (collection !== "activities" || (req.method !== "POST" && req.method !== "PUT")) {
      return { status: 405, body: { error: { code: "BadArgument", message: `${req.method} ${path}` } } };
    }
    if (req.method === "POST" && this.throttleNext > 0) {
      this.throttleNext--;
      this.throttled++;
      return {
        status: 429,
        body: { error: { code: "Throttled", message: "Too many requests" } },
        headers: { "retry-after": String(this.retryAfterSeconds) },
      };
    }
    const body = JSON.parse(raw || "{}") as Record<string, unknown>;
    const problems: string[] = [];
    const bytes = Buffer.byteLength(raw, "utf8");
    if (bytes > TEAMS_MESSAGE_LIMIT_BYTES)
      problems.push(`message is ${bytes} bytes, over ${TEAMS_MESSAGE_LIMIT_BYTES}`);
    for (const [i, attachment] of (
      (body.attachments as Record<string, unknown>[] | undefined) ?? []
    ).entries()) {
      if (attachment.contentType === "application/vnd.microsoft.card.adaptive") {
        for (const e of adaptiveCardErrors(attachment.content)) problems.push(`attachment ${i}: ${e}`);
      }
    }
    const call: RecordedCall = {
      method: req.method,
      path,
      conversationId,
      ...(item ? { activityId: item } : {}),
      body,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      at: performance.now(),
      problems,
    };
    this.calls.push(call);
    this.waiters = this.waiters.filter((w) => {
      if (!w.predicate(call)) return true;
      w.resolve(call);
      return false;
    });
    if (problems.length > 0) {
      return { status: 400, body: { error: { code: "BadSyntax", message: problems.join("; ") } } };
    }
    return { status: 200, body: { id: req.method === "PUT" ? item : `stand-in-${this.nextId++}` } };
  }
}
