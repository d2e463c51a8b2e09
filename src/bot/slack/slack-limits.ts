import type { RateWindow } from "../core/pacer.ts";

/** Slack's documented limits (Block Kit reference and @slack/types JSDoc); the renderers never exceed them. */
export const SLACK_LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  actionId: 255,
  blockId: 255,
  callbackId: 255,
  viewTitle: 24,
  viewButton: 24,
  privateMetadata: 3000,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  optionText: 75,
  optionValue: 75,
  selectOptions: 100,
  /** Slack truncates at 40,000; a notification longer than this helps nobody. */
  fallbackText: 4000,
} as const;

/**
 * How fast the adapter calls Slack, by kind of call (docs.slack.dev/apis/web-api/rate-limits and each method's
 * page). Workspace-wide caps shared with other replicas are not known here: Slack's Retry-After covers them.
 */
export const SLACK_RATES = {
  /**
   * chat.postMessage (and chat.postEphemeral with it): "about one message a second per channel, short bursts
   * allowed", and bursts may be dropped silently, so no bursts: one a second, per channel.
   */
  post: [{ count: 1, ms: 1000 }],
  /**
   * chat.update and chat.unfurl: Tier 3, "50+ per minute, sporadic bursts welcome", per workspace. A burst is
   * kept to five a second, so twenty quick progress updates go out in four seconds, not in one.
   */
  tier3: [
    { count: 5, ms: 1000 },
    { count: 50, ms: 60_000 },
  ],
  /** views.publish and views.update: Tier 4, "100+ per minute", per workspace. */
  tier4: [
    { count: 10, ms: 1000 },
    { count: 100, ms: 60_000 },
  ],
} satisfies Record<string, RateWindow[]>;
