import { describe, expect, it } from "vitest";
import { addressOf, asTeamsAddress, conversationIdFor } from "./teams-address.ts";

const channel = (id: string, more: Record<string, unknown> = {}) => ({
  conversation: { id, conversationType: "channel" },
  ...more,
});

describe("Teams addresses", () => {
  it("names a channel's reply chain, whichever way the activity says it", () => {
    // A message in a thread: the conversation id names the chain.
    expect(addressOf(channel("19:c@thread.tacv2;messageid=100", { type: "message", id: "105" }))).toEqual({
      adapter: "teams",
      conversation: "19:c@thread.tacv2",
      replyChain: "100",
    });
    // A button on a card posted at the top of the channel: the card is its own chain's root.
    expect(addressOf(channel("19:c@thread.tacv2", { type: "invoke", replyToId: "200" }))).toMatchObject({
      replyChain: "200",
    });
    // A message at the top of the channel starts a chain of its own.
    expect(addressOf(channel("19:c@thread.tacv2", { type: "message", id: "300" }))).toMatchObject({
      replyChain: "300",
    });
    // The app installed in a team: the channel itself, no chain.
    expect(addressOf(channel("19:c@thread.tacv2", { type: "conversationUpdate" }))).toEqual({
      adapter: "teams",
      conversation: "19:c@thread.tacv2",
    });
  });

  it("has no reply chain in personal and group chats, where a reply is a quote", () => {
    for (const conversationType of ["personal", "groupChat"]) {
      expect(
        addressOf({
          type: "message",
          id: "5",
          replyToId: "4",
          conversation: { id: "a:1", conversationType },
        }),
      ).toEqual({ adapter: "teams", conversation: "a:1" });
    }
    expect(addressOf({ type: "message" })).toBeUndefined();
  });

  it("sends into the chain, and reads back an address as it was stored", () => {
    const address = asTeamsAddress({
      adapter: "teams",
      conversation: "19:c@thread.tacv2",
      replyChain: "100",
    });
    expect(conversationIdFor(address)).toBe("19:c@thread.tacv2;messageid=100");
    expect(asTeamsAddress({ adapter: "teams", conversation: "19:c@thread.tacv2;messageid=100" })).toEqual(
      address,
    );
    expect(conversationIdFor(asTeamsAddress({ adapter: "teams", conversation: "a:1" }))).toBe("a:1");
    expect(() => asTeamsAddress({ adapter: "slack", channel: "C1" })).toThrow(/Teams cannot deliver to/);
    expect(() => asTeamsAddress({ adapter: "teams" })).toThrow(/names the conversation/);
  });
});
