import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/** The side-loadable app package in teams/manifest must stay consistent with what the adapter handles. */
const dir = new URL("../../../teams/manifest/", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("manifest.json", dir), "utf8"));

function pngSize(name: string): { width: number; height: number } {
  const bytes = readFileSync(new URL(name, dir));
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(bytes.subarray(12, 16).toString("ascii")).toBe("IHDR");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe("Teams app manifest", () => {
  it("uses manifest schema 1.17 or later", () => {
    const [major, minor] = String(manifest.manifestVersion).split(".").map(Number);
    expect(major! > 1 || (major === 1 && minor! >= 17)).toBe(true);
    expect(manifest.$schema).toContain(`v${manifest.manifestVersion}/`);
  });

  it("ships the two icons at the sizes Teams requires", () => {
    expect(pngSize(manifest.icons.color)).toEqual({ width: 192, height: 192 });
    expect(pngSize(manifest.icons.outline)).toEqual({ width: 32, height: 32 });
  });

  it("declares the bot with its commands, a search command and link unfurling for the same bot", () => {
    const bot = manifest.bots[0];
    expect(bot.scopes).toEqual(expect.arrayContaining(["personal", "team", "groupChat"]));
    expect(bot.commandLists[0].commands.map((c: { title: string }) => c.title)).toContain("who owns");
    const extension = manifest.composeExtensions[0];
    expect(extension.botId).toBe(bot.botId);
    expect(extension.commands[0]).toMatchObject({ id: "searchCatalog", type: "query" });
    expect(extension.messageHandlers[0]).toMatchObject({
      type: "link",
      value: { domains: expect.any(Array) },
    });
    expect(manifest.validDomains).toEqual(expect.arrayContaining(extension.messageHandlers[0].value.domains));
  });
});
