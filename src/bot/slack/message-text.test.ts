import { describe, expect, it } from "vitest";
import { MAX_COMMAND_LENGTH } from "../core/router.ts";
import { messageText } from "./message-text.ts";

describe("messageText on oversized and pathological text", () => {
  it("does not decode text that cannot be a command: it comes back cut just past the limit", () => {
    const huge = `<@U0CALLBOT> who owns ${"a".repeat(2_000_000)}`;
    const out = messageText(huge, "U0CALLBOT");
    expect(out).toHaveLength(MAX_COMMAND_LENGTH + 1);
    expect(
      messageText(`<@U0CALLBOT|x&amp;${"&amp;".repeat(2 * MAX_COMMAND_LENGTH)}`, "U0CALLBOT"),
    ).toHaveLength(MAX_COMMAND_LENGTH + 1);
  });

  it("still decodes a long message within twice the limit, to what the router then measures", () => {
    const name = "a".repeat(MAX_COMMAND_LENGTH);
    expect(messageText(`<@U0CALLBOT> who owns ${name}`, "U0CALLBOT")).toBe(`who owns ${name}`);
    const links = "<https://x.test/a|x.test/a> ".repeat(200);
    expect(messageText(`search ${links}`, "U0CALLBOT")).toBe(
      `search ${"https://x.test/a ".repeat(200).trim()}`,
    );
  });

  it("ends a reference at the next one: an unclosed link does not swallow the channel after it", () => {
    expect(messageText("<@U0CALLBOT> search <https://x.test <#C0001|general> x", "U0CALLBOT")).toBe(
      "search <https://x.test #general x",
    );
  });
});
