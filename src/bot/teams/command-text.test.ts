import { describe, expect, it } from "vitest";
import { MAX_COMMAND_LENGTH } from "../core/router.ts";
import { commandText } from "./teams-inbound.ts";

const BOT = { id: "28:bot", name: "Callboard" };

describe("commandText on oversized text and many mentions", () => {
  it("does not decode text that cannot be a command: it comes back cut just past the limit", () => {
    const text = `<at>Callboard</at> who owns ${"a".repeat(250_000)}`;
    const activity = {
      text,
      recipient: BOT,
      entities: [{ type: "mention", mentioned: BOT, text: "<at>Callboard</at>" }],
    };
    expect(commandText(activity)).toHaveLength(MAX_COMMAND_LENGTH + 1);
  });

  it("removes the bot's mention even behind thousands of others, and keeps the others' names", () => {
    const people = Array.from({ length: 5_000 }, (_, i) => ({
      type: "mention",
      mentioned: { id: `29:p${i}`, name: `P${i}` },
      text: `<at>P${i}</at>`,
    }));
    const activity = {
      text: "<at>P1</at> <at>P2</at> <at>Callboard</at> who owns x",
      recipient: BOT,
      entities: [...people, { type: "mention", mentioned: BOT, text: "<at>Callboard</at>" }],
    };
    expect(commandText(activity)).toBe("P1 P2 who owns x");
  });
});
