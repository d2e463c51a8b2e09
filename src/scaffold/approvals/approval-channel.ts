import type { Entity } from "../../catalog/model/entity.ts";
import type { Address } from "../../plugins/outbox.ts";

/**
 * Where a group's approvals are posted, from its annotations, in this order:
 * - `slack.com/channel-id`: the group's Slack channel id (C… or G…);
 * - `slack.com/bot-notify`: Backstage's Slack notification annotation, when it holds a channel id;
 * - `callboard.dev/teams-conversation-id`: the Teams conversation (a channel's `19:…@thread.tacv2`) Callboard
 *   knows because it is installed there.
 */
export const SLACK_CHANNEL_ANNOTATIONS = ["slack.com/channel-id", "slack.com/bot-notify"] as const;
export const TEAMS_CONVERSATION_ANNOTATION = "callboard.dev/teams-conversation-id";

/** Slack conversation ids a bot can post into: public channels (C…) and private ones (G…). */
const SLACK_CHANNEL = /^[CG][A-Z0-9]{2,30}$/;

export interface ApprovalPlace {
  address: Address;
  /** Where the place came from, for the task log: `group:default/x (slack.com/channel-id)`. */
  source: string;
}

/**
 * The places to post a group's approval into, best first: its annotated Slack channel, then its Teams
 * conversation, then the configured default (`CALLBOARD_SCAFFOLD_APPROVAL_CHANNEL`). The action posts to the
 * first one that takes the message.
 */
export function approvalPlaces(
  group: { ref: string; entity?: Pick<Entity, "metadata"> },
  defaultChannel: string | undefined,
): ApprovalPlace[] {
  const annotations = group.entity?.metadata.annotations ?? {};
  const places: ApprovalPlace[] = [];
  for (const key of SLACK_CHANNEL_ANNOTATIONS) {
    const channel = annotations[key]?.trim();
    if (channel && SLACK_CHANNEL.test(channel)) {
      places.push({ address: { adapter: "slack", channel }, source: `${group.ref} (${key})` });
      break;
    }
  }
  const teams = annotations[TEAMS_CONVERSATION_ANNOTATION]?.trim();
  if (teams) {
    places.push({
      address: { adapter: "teams", conversation: teams },
      source: `${group.ref} (${TEAMS_CONVERSATION_ANNOTATION})`,
    });
  }
  const fallback = defaultChannel ? parseApprovalChannel(defaultChannel) : undefined;
  if (fallback) places.push({ address: fallback, source: "CALLBOARD_SCAFFOLD_APPROVAL_CHANNEL" });
  return places;
}

/**
 * The configured default channel, `slack:<channel id>` or `teams:<conversation id>`; throws a message naming
 * the setting (the config section checks it at start-up with this).
 */
export function parseApprovalChannel(text: string): Address {
  const at = text.indexOf(":");
  const adapter = text.slice(0, at).trim().toLowerCase();
  const id = text.slice(at + 1).trim();
  if (at > 0 && adapter === "slack" && SLACK_CHANNEL.test(id)) return { adapter, channel: id };
  if (at > 0 && adapter === "teams" && id.length > 0 && id.length <= 512) {
    return { adapter, conversation: id };
  }
  throw new Error(
    `CALLBOARD_SCAFFOLD_APPROVAL_CHANNEL "${text.slice(0, 60)}" is not a channel: write slack:<channel id> ` +
      "(slack:C0123ABCD) or teams:<conversation id> (teams:19:abc…@thread.tacv2).",
  );
}
