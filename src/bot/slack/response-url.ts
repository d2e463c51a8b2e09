import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

/**
 * Answers to slash commands and interactions go to their response_url: a plain JSON POST (Slack allows five
 * within 30 minutes), not a Web API method, so neither chat.postMessage's per-channel pacing nor the
 * WebClient applies. Bolt's respond() posts through fetch (undici), whose per-call cost (web streams, abort
 * signals and the garbage they leave) was a sixth of a slash command's CPU in the bench profile; node:http
 * with keep-alive agents does the same POST for less and reuses connections to hooks.slack.com.
 */
export class ResponseUrlPoster {
  private readonly http = new HttpAgent({ keepAlive: true, maxSockets: 100 });
  private readonly https = new HttpsAgent({ keepAlive: true, maxSockets: 100 });

  constructor(private readonly timeoutMs = 5000) {}

  post(responseUrl: string, message: object): Promise<void> {
    const url = new URL(responseUrl);
    const secure = url.protocol === "https:";
    if (!secure && url.protocol !== "http:") {
      return Promise.reject(new Error(`response_url ${responseUrl} is not an http(s) URL.`));
    }
    const body = JSON.stringify(message);
    const send = secure ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(
        url,
        {
          method: "POST",
          agent: secure ? this.https : this.http,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.once("error", reject);
          res.once("end", () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve();
            else {
              const text = Buffer.concat(chunks).toString("utf8").slice(0, 200);
              reject(new ResponseUrlError(status, `response_url answered ${status}: ${text}`));
            }
          });
        },
      );
      req.once("timeout", () =>
        req.destroy(new Error(`response_url did not answer in ${this.timeoutMs} ms`)),
      );
      req.once("error", reject);
      req.end(body);
    });
  }

  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

export class ResponseUrlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ResponseUrlError";
  }
}
