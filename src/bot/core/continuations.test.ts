import { describe, expect, it } from "vitest";
import { header, reply, section, type Action, type Reply } from "../../message/reply.ts";
import { MemoryContinuationStore } from "../../../test/fixtures/memory-ports.ts";
import { Continuations, type Rendered } from "./continuations.ts";

/** A renderer that fits `max` blocks, the last slot going to the "Show more" button when it cuts. */
function renderer(max: number) {
  const calls: Action[] = [];
  const render = (answer: Reply, more: Action): Rendered<string[]> => {
    calls.push(more);
    if (answer.blocks.length <= max) return { output: answer.blocks.map((b) => b.type) };
    const kept = answer.blocks.slice(0, max - 1).map((b) => b.type);
    return { output: [...kept, `more:${more.continuation}`], cutAt: max - 1 };
  };
  return { render, calls };
}

const long = reply("long", header("h"), ...Array.from({ length: 9 }, (_, i) => section(`s${i}`)));

describe("Continuations", () => {
  it("renders once and keeps nothing when the answer fits", async () => {
    const store = new MemoryContinuationStore();
    const { render, calls } = renderer(20);
    expect(await new Continuations(store).fit(long, render)).toHaveLength(10);
    expect(calls).toHaveLength(1);
    expect(store.kept.size).toBe(0);
  });

  it("keeps the rest once when cut, and the button fetches exactly the blocks left out", async () => {
    const store = new MemoryContinuationStore();
    const continuations = new Continuations(store);
    const { render } = renderer(4);
    const shown = await continuations.fit(long, render);
    expect(shown.slice(0, 3)).toEqual(["header", "section", "section"]);
    const id = shown[3]!.replace("more:", "");
    expect(store.kept.size).toBe(1);
    const rest = await continuations.take(id);
    expect(rest?.blocks).toEqual(long.blocks.slice(3));
    // The rest is itself cut again where it does not fit, and so on to the end.
    const next = await continuations.fit(rest!, render);
    expect(next).toHaveLength(4);
    expect(store.kept.size).toBe(2);
  });

  it("answers undefined for an unknown, malformed or expired id", async () => {
    const store = new MemoryContinuationStore();
    const continuations = new Continuations(store, () => new Date(Date.now() - 8 * 24 * 3600 * 1000));
    const { render } = renderer(2);
    const shown = await continuations.fit(long, render);
    expect(await continuations.take(shown[1]!.replace("more:", ""))).toBeUndefined();
    expect(await continuations.take("nope")).toBeUndefined();
    expect(await continuations.take("x".repeat(1000))).toBeUndefined();
  });
});
