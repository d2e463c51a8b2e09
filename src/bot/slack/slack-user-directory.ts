import type { WebClient } from "@slack/web-api";
import type { Logger } from "pino";

export interface SlackProfile {
  name?: string;
  email?: string;
}

/**
 * Slack user id → name and email (users.info, which needs users:read and users:read.email), cached so a
 * busy channel costs one lookup a person, not one a message. A failed lookup is cached for a shorter time
 * so a missing scope does not turn every message into a failing API call.
 */
export class SlackUserDirectory {
  private readonly cache = new Map<string, { profile: SlackProfile; expires: number }>();
  private readonly inFlight = new Map<string, Promise<SlackProfile>>();

  constructor(
    private readonly client: WebClient,
    private readonly log: Logger,
    private readonly ttlMs = 10 * 60_000,
    private readonly failureTtlMs = 60_000,
  ) {}

  async lookup(userId: string): Promise<SlackProfile> {
    const hit = this.cache.get(userId);
    if (hit && hit.expires > Date.now()) return hit.profile;
    const running = this.inFlight.get(userId);
    if (running) return running;
    const fetching = this.fetch(userId).finally(() => this.inFlight.delete(userId));
    this.inFlight.set(userId, fetching);
    return fetching;
  }

  private async fetch(userId: string): Promise<SlackProfile> {
    try {
      const result = await this.client.users.info({ user: userId });
      const user = result.user;
      const profile: SlackProfile = {
        ...(user?.real_name || user?.name ? { name: user.real_name || user.name } : {}),
        ...(user?.profile?.email ? { email: user.profile.email } : {}),
      };
      this.cache.set(userId, { profile, expires: Date.now() + this.ttlMs });
      return profile;
    } catch (error) {
      this.log.warn(
        { err: error, slackUser: userId },
        "users.info failed; continuing without the person's email",
      );
      this.cache.set(userId, { profile: {}, expires: Date.now() + this.failureTtlMs });
      return {};
    }
  }
}
