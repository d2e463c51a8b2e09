import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reply, section } from "../../message/reply.ts";
import type { Plugin } from "../../plugins/api.ts";
import type { Address, MessageRef } from "../../plugins/outbox.ts";
import { MemoryConversationStore } from "../../../test/fixtures/memory-ports.ts";
import { BotConnectorStandIn } from "../../../test/fixtures/teams/bot-connector-stand-in.ts";
import { startTeamsHarness, type TeamsHarness } from "../../../test/fixtures/teams/harness.ts";
import { teamsTestPlugin } from "../../../test/fixtures/teams/test-plugin.ts";

/** A command that keeps the address of the conversation it was asked in, as a job would to post later. */
function addressKeeper(seen: Address[]): Plugin {
  return {
    id: "address-keeper",
    register(api) {
      api.addCommand({
        name: "later",
        phrases: ["later"],
        summary: "Answer later.",
        usage: "later",
        handler: (ctx) => {
          if (ctx.conversation.address) seen.push(ctx.conversation.address);
          return reply("Working on it", section("Working on it"));
        },
      });
    },
  };
}

const textOf = (body: Record<string, unknown>): string =>
  ((body.attachments as { content: { body: { text?: string }[] } }[])[0]!.content.body ?? [])
    .map((e) => e.text ?? "")
    .join(" ");

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("Teams outbox: a message posted into a reply chain, then updated", () => {
  const connector = new BotConnectorStandIn();
  const conversations = new MemoryConversationStore();
  const seen: Address[] = [];
  let first: TeamsHarness;

  beforeAll(async () => {
    await connector.start();
    first = await startTeamsHarness({
      connector,
      conversations,
      plugins: [teamsTestPlugin, addressKeeper(seen)],
    });
  });
  afterAll(async () => {
    await first?.close();
    await connector.stop();
  });

  it("updates it 20 times in 2 s in order, within Teams' limits, and again after a restart", async () => {
    // A command asked in a channel thread gets the address of that thread.
    const asked = first.fixture("message-channel-mention", {
      text: "<at>Callboard</at> later",
      id: "1732530900001",
    });
    expect((await first.post(asked)).status).toBe(200);
    expect(seen).toEqual([
      { adapter: "teams", conversation: "19:3f2c8e@thread.tacv2", replyChain: "1732530900001" },
    ]);
    const address = seen[0]!;

    const ref = await first.adapter.post(address, reply("Step 0", section("Step 0 of 20")));
    const posted = connector.activities.get(ref.id)!;
    expect(posted.conversationId).toBe("19:3f2c8e@thread.tacv2;messageid=1732530900001");

    // Twenty updates, one every 100 ms, none waited for: more than Teams takes in 2 s in one conversation.
    const updates: Promise<MessageRef>[] = [];
    for (let i = 1; i <= 20; i++) {
      updates.push(first.adapter.update(ref, reply(`Step ${i}`, section(`Step ${i} of 20`))));
      await sleep(100);
    }
    await Promise.all(updates);
    expect(posted.updates.map(textOf)).toEqual(Array.from({ length: 20 }, (_, i) => `Step ${i + 1} of 20`));
    expect(connector.violations).toEqual([]);
    expect(connector.throttled).toBe(0);

    // A restart: a new adapter, the stored reference as a job would have kept it. A new process does not know
    // how fast the old one sent (Teams' Retry-After covers that); a restart takes longer than its 2 s window.
    const kept = JSON.parse(JSON.stringify(ref)) as MessageRef;
    await first.close();
    await sleep(2000);
    first = await startTeamsHarness({ connector, conversations });
    const updated = await first.adapter.update(kept, reply("Done", section("Done: 20 of 20")));
    expect(updated).toEqual(kept);
    expect(posted.updates.map(textOf).at(-1)).toBe("Done: 20 of 20");
    expect(connector.calls.filter((c) => c.method === "PUT").map((c) => c.activityId)).toEqual(
      Array(21).fill(ref.id),
    );
    expect(connector.violations).toEqual([]);
    expect(connector.problems).toEqual([]);
  }, 30_000);

  it("refuses an update of a message the conversation does not have", async () => {
    await expect(
      first.adapter.update(
        { address: { adapter: "teams", conversation: "19:3f2c8e@thread.tacv2" }, id: "no-such-message" },
        reply("x"),
      ),
    ).rejects.toThrow();
  });
});

describe("the Bot Connector stand-in", () => {
  it("refuses a call beyond a conversation's limits with 429 and Retry-After, and records it", async () => {
    const connector = new BotConnectorStandIn();
    const url = await connector.start();
    // A stopped clock: every call arrives in the same instant, however slow the machine.
    connector.now = () => 1000;
    try {
      const send = () =>
        fetch(`${url}v3/conversations/${encodeURIComponent("19:c@thread.tacv2;messageid=1")}/activities`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ type: "message", text: "hi" }),
        });
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await send()).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 429]);
      expect(connector.violations).toMatchObject([
        { conversationId: "19:c@thread.tacv2;messageid=1", limit: { count: 7, ms: 1000 } },
      ]);
      const refused = await send();
      expect(refused.headers.get("retry-after")).toMatch(/^[0-9]+$/);
    } finally {
      await connector.stop();
    }
  });
});
