/**
 * Callboard's way to GitHub: octokit (with its retry and throttling plugins) set up from the settings,
 * acting for a token or for a GitHub App's installations, pointed at github.com or an Enterprise Server.
 * Rate limits are waited out by the throttling plugin and said in the log; every request's remaining
 * budget (x-ratelimit-remaining) is logged; credentials never reach a log line or an error.
 */
import { App, Octokit, RequestError } from "octokit";
import type { Logger } from "pino";
import type { GitHubSettings } from "./github-config.ts";
import { SecretRedactor } from "./secret-redactor.ts";

export interface GitHubClientOptions {
  log: Logger;
  /**
   * Octokit spaces writes a second apart, as GitHub asks to avoid secondary rate limits. Tests against
   * the stand-in turn the spacing off; rate-limit answers are still waited out.
   */
  writePacing?: boolean;
  /** How often one request is retried after a rate-limit answer (3). */
  rateLimitRetries?: number;
}

/** An octokit acting for one account's installation (or the token), and the token git pushes with. */
export interface GitHubSession {
  octokit: Octokit;
  /** The personal token, or the installation's access token (a fresh one when the last expired). */
  gitToken(): Promise<string>;
  /** Who it acts as, for messages: "the token" or "installation 123 of the App". */
  actingAs: string;
}

interface Throttled {
  method: string;
  url: string;
}

/** Bottleneck's group interface, doing no waiting: writes go out as they come. */
const UNPACED = { key: () => ({ schedule: (_options: unknown, job: () => unknown) => job() }) };

export class GitHubClient {
  readonly host: string;
  readonly apiUrl: string;
  /** Where repositories are browsed: https://github.com, or the Enterprise Server's origin. */
  readonly webUrl: string;
  private readonly redactor = new SecretRedactor();
  private readonly log: Logger;
  private readonly Client: typeof Octokit;
  private readonly app?: App;
  private installationsByOwner?: Map<string, number>;
  private readonly sessions = new Map<string, GitHubSession>();
  private lowBudgetWarnedFor = "";

  constructor(
    private readonly settings: GitHubSettings,
    options: GitHubClientOptions,
  ) {
    this.host = settings.host;
    this.apiUrl = settings.apiUrl;
    this.webUrl = this.host === "github.com" ? "https://github.com" : new URL(settings.apiUrl).origin;
    this.redactor.add(settings.token);
    this.redactor.add(settings.app?.privateKey);
    this.log = options.log.child({ component: "github" });
    const retries = options.rateLimitRetries ?? 3;
    const onLimit =
      (kind: string) =>
      (retryAfter: number, request: Throttled, _octokit: unknown, retryCount: number): boolean => {
        const retry = retryCount < retries;
        this.log.warn(
          {
            method: request.method,
            url: this.path(request.url),
            retryAfterSeconds: retryAfter,
            attempt: retryCount + 1,
          },
          retry
            ? `GitHub ${kind} rate limit reached; waiting ${retryAfter} s before retrying`
            : `GitHub ${kind} rate limit reached; giving up after ${retryCount} retries`,
        );
        return retry;
      };
    const redactor = this.redactor;
    const log = this.log;
    const octokitLog = {
      debug: (message: string) => log.debug(redactor.text(message)),
      info: (message: string) => log.info(redactor.text(message)),
      warn: (message: string) => log.warn(redactor.text(message)),
      error: (message: string) => log.error(redactor.text(message)),
    };
    const budget: Parameters<typeof Octokit.plugin>[0] = (octokit) => {
      octokit.hook.after("request", (response, request) => {
        this.noteBudget(
          response.headers as Record<string, string | undefined>,
          { method: request.method, url: response.url },
          response.status,
        );
      });
      octokit.hook.error("request", (error, request) => {
        if (error instanceof RequestError && error.response) {
          this.noteBudget(
            error.response.headers as Record<string, string | undefined>,
            request,
            error.status,
          );
        }
        throw error;
      });
    };
    this.Client = Octokit.plugin(budget).defaults({
      baseUrl: settings.apiUrl,
      userAgent: "callboard",
      log: octokitLog,
      // 429 is a rate limit: left to the throttling plugin, which waits until x-ratelimit-reset. The retry
      // plugin would otherwise retry it blindly after a second, before the throttling plugin saw it.
      retry: { doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
      throttle: {
        onRateLimit: onLimit("primary"),
        onSecondaryRateLimit: onLimit("secondary"),
        ...(options.writePacing === false ? { write: UNPACED, notifications: UNPACED } : {}),
      },
    }) as typeof Octokit;
    if (settings.app) {
      this.app = new App({
        appId: settings.app.appId,
        privateKey: settings.app.privateKey,
        Octokit: this.Client,
        log: octokitLog,
      });
    }
  }

  /** Replaces every credential in a text with `***`. */
  redact(text: string): string {
    return this.redactor.text(text);
  }

  /**
   * An error a person can read: what GitHub answered to which request, without credentials.
   * `what` says what Callboard was doing ("creating acme/payments").
   */
  describeError(error: unknown, what: string): Error {
    if (error instanceof RequestError) {
      const data = error.response?.data as
        | { message?: string; errors?: Array<{ message?: string; code?: string; field?: string } | string> }
        | undefined;
      const details = (data?.errors ?? [])
        .map((e) => (typeof e === "string" ? e : (e.message ?? [e.field, e.code].filter(Boolean).join(" "))))
        .filter(Boolean);
      const said = [data?.message ?? error.message, ...details].join(": ");
      return new Error(
        this.redact(
          `GitHub answered ${error.status} to ${error.request.method} ${this.path(error.request.url)} while ${what}: ${said}`,
        ),
      );
    }
    return new Error(
      this.redact(`GitHub failed while ${what}: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  /** The session that acts for repositories of `owner`: its App installation, or the token. */
  async forOwner(owner: string): Promise<GitHubSession> {
    const key = owner.toLowerCase();
    const cached = this.sessions.get(key);
    if (cached) return cached;
    let session: GitHubSession;
    if (this.app) {
      const installationId = this.settings.app!.installationId ?? (await this.installationFor(key));
      if (installationId === undefined) {
        if (!this.settings.token) {
          throw new Error(
            `The GitHub App ${this.settings.app!.appId} is not installed on ${owner}. Install it on that account, or set GITHUB_APP_INSTALLATION_ID.`,
          );
        }
        session = this.tokenSession();
      } else {
        session = await this.installationSession(installationId);
      }
    } else {
      session = this.tokenSession();
    }
    this.sessions.set(key, session);
    return session;
  }

  /** Every installation the App can see (each with its account), or the token's one session. */
  async *eachInstallation(): AsyncGenerator<{
    account?: string;
    installationId?: number;
    session: GitHubSession;
  }> {
    if (!this.app) {
      yield { session: this.tokenSession() };
      return;
    }
    const installations = await this.app.octokit.paginate("GET /app/installations", { per_page: 100 });
    for (const installation of installations) {
      if (
        this.settings.app!.installationId !== undefined &&
        installation.id !== this.settings.app!.installationId
      )
        continue;
      const account =
        installation.account && "login" in installation.account ? installation.account.login : undefined;
      yield {
        ...(account ? { account } : {}),
        installationId: installation.id,
        session: await this.installationSession(installation.id),
      };
    }
  }

  /** A session for a token someone gave (a template's `token` input), in place of the configured credentials. */
  withToken(token: string): GitHubSession {
    this.redactor.add(token);
    return {
      octokit: new this.Client({ auth: token }),
      gitToken: async () => token,
      actingAs: "the token given to the step",
    };
  }

  private tokenSession(): GitHubSession {
    const token = this.settings.token;
    if (!token)
      throw new Error("GitHub is not configured: set GITHUB_TOKEN, or GITHUB_APP_ID and its private key.");
    return { octokit: new this.Client({ auth: token }), gitToken: async () => token, actingAs: "the token" };
  }

  private async installationSession(installationId: number): Promise<GitHubSession> {
    const octokit = (await this.app!.getInstallationOctokit(installationId)) as Octokit;
    return {
      octokit,
      gitToken: async () => {
        const { token } = (await octokit.auth({ type: "installation" })) as { token: string };
        this.redactor.add(token);
        return token;
      },
      actingAs: `installation ${installationId} of the GitHub App ${this.settings.app!.appId}`,
    };
  }

  private async installationFor(owner: string): Promise<number | undefined> {
    if (!this.installationsByOwner?.has(owner)) {
      const found = new Map<string, number>();
      for await (const { account, installationId } of this.installationList()) {
        if (account) found.set(account.toLowerCase(), installationId);
      }
      this.installationsByOwner = found;
    }
    return this.installationsByOwner.get(owner);
  }

  private async *installationList(): AsyncGenerator<{ account?: string; installationId: number }> {
    const installations = await this.app!.octokit.paginate("GET /app/installations", { per_page: 100 });
    for (const installation of installations) {
      const account =
        installation.account && "login" in installation.account ? installation.account.login : undefined;
      yield { ...(account ? { account } : {}), installationId: installation.id };
    }
  }

  private noteBudget(
    headers: Record<string, string | undefined>,
    request: { method: string; url: string },
    status: number,
  ) {
    const remaining = headers["x-ratelimit-remaining"];
    const limit = headers["x-ratelimit-limit"];
    const reset = headers["x-ratelimit-reset"];
    this.log.debug(
      {
        method: request.method,
        url: this.path(request.url),
        status,
        rateLimitRemaining: remaining === undefined ? undefined : Number(remaining),
        rateLimitLimit: limit === undefined ? undefined : Number(limit),
        rateLimitResource: headers["x-ratelimit-resource"],
      },
      "GitHub request",
    );
    if (remaining === undefined || limit === undefined || reset === undefined) return;
    const windowKey = `${headers["x-ratelimit-resource"] ?? "core"}:${reset}`;
    if (Number(remaining) < Number(limit) / 10 && this.lowBudgetWarnedFor !== windowKey) {
      this.lowBudgetWarnedFor = windowKey;
      this.log.warn(
        {
          rateLimitRemaining: Number(remaining),
          rateLimitLimit: Number(limit),
          resetsAt: new Date(Number(reset) * 1000).toISOString(),
        },
        `GitHub request budget low: ${remaining} of ${limit} left`,
      );
    }
  }

  /** A request URL as a path below the API root, so logs stay short and carry no query secrets. */
  private path(url: string): string {
    const withoutQuery = url.split("?")[0]!;
    return withoutQuery.startsWith(this.apiUrl)
      ? withoutQuery.slice(this.apiUrl.length) || "/"
      : withoutQuery;
  }
}
