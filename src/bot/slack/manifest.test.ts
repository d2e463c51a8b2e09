import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

/** The manifest must ask for exactly what the adapter uses, and send everything to the one endpoint. */
describe("slack/manifest.yaml", () => {
  const manifest = parse(readFileSync(new URL("../../../slack/manifest.yaml", import.meta.url), "utf8")) as {
    features: {
      slash_commands: { command: string; url: string }[];
      app_home: { home_tab_enabled: boolean };
      unfurl_domains: string[];
    };
    oauth_config: { scopes: { bot: string[] } };
    settings: {
      event_subscriptions: { request_url: string; bot_events: string[] };
      interactivity: { is_enabled: boolean; request_url: string; message_menu_options_url: string };
      socket_mode_enabled: boolean;
    };
  };

  it("subscribes to the events the adapter handles and enables interactivity and options", () => {
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual([
      "app_home_opened",
      "app_mention",
      "link_shared",
      "message.channels",
      "message.groups",
      "message.im",
    ]);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    expect(manifest.features.unfurl_domains.length).toBeGreaterThan(0);
  });

  it("routes every command, event and interaction to /slack/events", () => {
    const urls = [
      ...manifest.features.slash_commands.map((c) => c.url),
      manifest.settings.event_subscriptions.request_url,
      manifest.settings.interactivity.request_url,
      manifest.settings.interactivity.message_menu_options_url,
    ];
    for (const url of urls) expect(new URL(url).pathname).toBe("/slack/events");
    // Only commands Callboard registers (src/app/manifest-commands.test.ts checks each against the router).
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual([
      "/callboard",
      "/whoowns",
      "/scaffold",
      "/docs",
    ]);
  });

  it("asks for the scopes the adapter's API calls need and no more", () => {
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual(
      [
        "app_mentions:read",
        "channels:history",
        "chat:write",
        "commands",
        "groups:history",
        "im:history",
        "im:read",
        "im:write",
        "links:read",
        "links:write",
        "users:read",
        "users:read.email",
      ].sort(),
    );
  });
});
