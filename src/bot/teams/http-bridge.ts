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

/** A status and body for POST /api/messages: a string is sent as text, anything else as JSON. */
export interface HttpAnswer {
  status: number;
  body?: unknown;
}

export function writeAnswer(res: ServerResponse, answer: HttpAnswer): void {
  if (res.writableEnded) return;
  if (answer.body === undefined || answer.body === null) {
    res.writeHead(answer.status).end();
  } else if (typeof answer.body === "string") {
    res.writeHead(answer.status, { "content-type": "text/plain; charset=utf-8" }).end(answer.body);
  } else {
    res
      .writeHead(answer.status, { "content-type": "application/json; charset=utf-8" })
      .end(JSON.stringify(answer.body));
  }
}
