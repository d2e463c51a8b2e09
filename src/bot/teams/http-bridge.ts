import type { IncomingMessage, ServerResponse } from "node:http";

/** Activities are small JSON documents; anything near this is not from the Bot Connector. */
export const MAX_ACTIVITY_BYTES = 256 * 1024;

export class RequestBodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Read and parse a JSON body, refusing more than `maxBytes` before buffering it all. */
export async function readJsonBody(req: IncomingMessage, maxBytes = MAX_ACTIVITY_BYTES): Promise<unknown> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > maxBytes)
    throw new RequestBodyError(413, `Activity body of ${declared} bytes exceeds ${maxBytes}.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new RequestBodyError(413, `Activity body exceeds ${maxBytes} bytes.`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new RequestBodyError(400, "Activity body is not valid JSON.");
  }
}

/** The request shape CloudAdapter.process reads: a parsed body, headers and the method. */
export interface BridgedRequest {
  body: unknown;
  headers: IncomingMessage["headers"];
  method: string;
}

/** The Express/Restify-like response CloudAdapter.process writes to, over a plain node:http response. */
export interface BridgedResponse {
  status(code: number): void;
  header(name: string, value: unknown): void;
  send(body: unknown): void;
  end(): void;
}

export function bridgeResponse(res: ServerResponse): BridgedResponse {
  let body: string | undefined;
  return {
    status(code) {
      res.statusCode = code;
    },
    header(name, value) {
      res.setHeader(name, String(value));
    },
    send(value) {
      if (value === undefined || value === null) return;
      if (typeof value === "string" || Buffer.isBuffer(value)) {
        body = value.toString();
        if (!res.hasHeader("content-type")) res.setHeader("content-type", "text/plain; charset=utf-8");
      } else {
        body = JSON.stringify(value);
        res.setHeader("content-type", "application/json; charset=utf-8");
      }
    },
    end() {
      if (!res.writableEnded) res.end(body);
    },
  };
}
