import pino from "pino";
import { describe, expect, it } from "vitest";
import { actions, context, header, reply, section } from "../../message/reply.ts";
import type { ChatUser, Plugin } from "../../plugins/api.ts";
import { Registry } from "../../plugins/registry.ts";
import { MAX_COMMAND_LENGTH, Router } from "./router.ts";

const log = pino({ level: "silent" });
const user: ChatUser = { surface: "shell", id: "tester", email: "ada@example.com" };
const conversation = { surface: "shell" as const };

const echo: Plugin = {
  id: "echo",
  register(api) {
    api.addCommand({
      name: "who-owns",
      phrases: ["who owns", "owner of"],
      summary: "Who owns a thing.",
      usage: "who owns <name>",
      handler: (ctx) =>
        reply(`owner of ${ctx.args}`, header(ctx.args), section(`asked by ${ctx.user.catalogRef ?? "?"}`)),
    });
    api.addCommand({
      name: "show",
      phrases: ["show"],
      summary: "Show a thing.",
      usage: "show <name>",
      handler: () => {
        throw new Error("database unavailable");
      },
    });
    api.addUserResolver({
      resolve: async (u) => (u.email === "ada@example.com" ? "user:default/ada" : undefined),
    });
    api.addHomeSection({ id: "mine", render: async (u) => reply(`home of ${u.catalogRef}`, section("hi")) });
  },
};

async function router(...plugins: Plugin[]): Promise<Router> {
  const registry = new Registry(log);
  await registry.use(...plugins);
  return new Router(registry, log);
}

describe("Router", () => {
  it("routes natural phrasings to one command and maps the user to the catalog", async () => {
    const r = await router(echo);
    const answer = await r.handle({ text: "Owner of payments api?", user, conversation });
    expect(answer.text).toBe("owner of payments api");
    expect(answer.blocks[1]).toEqual({ type: "section", text: "asked by user:default/ada" });
  });

  it("answers an unknown command with help and a show button, not an error", async () => {
    const r = await router(echo);
    const answer = await r.handle({ text: "payments-api", user, conversation });
    expect(answer.text).toContain('I don\'t know the command "payments-api"');
    expect(answer.blocks.at(-1)).toEqual(
      actions(
        { label: "Show payments-api", command: "show payments-api" },
        { label: "Help", command: "help" },
      ),
    );
  });

  it("shows help and the not-understood answer to the asker only; a command's answer to everyone", async () => {
    const r = await router(echo);
    const ask = (text: string) => r.handle({ text, user, conversation });
    expect((await ask("frobnicate")).ephemeral).toBe(true);
    expect((await ask("help")).ephemeral).toBe(true);
    expect((await ask("help who owns")).ephemeral).toBe(true);
    expect((await ask("")).ephemeral).toBe(true);
    expect((await ask("owner of payments api")).ephemeral).toBeUndefined();
  });

  it("turns a failing command into a reply that names the command and a log reference, not the error", async () => {
    const r = await router(echo);
    const answer = await r.handle({ text: "show x", user, conversation });
    expect(answer.text).toMatch(/^Something went wrong running "show x" \(reference [0-9a-f]{8}\)\.$/);
    expect(JSON.stringify(answer)).not.toContain("database unavailable");
  });

  it("lists every command in help and explains one", async () => {
    const r = await router(echo);
    const all = await r.handle({ text: "help", user, conversation });
    expect(all.text).toBe("Callboard commands: who-owns, show");
    const one = await r.handle({ text: "help who owns", user, conversation });
    expect(one.blocks[0]).toEqual(header("who-owns"));
  });

  it("says when help is asked about a command that does not exist, then lists the ones that do", async () => {
    const r = await router(echo);
    const none = await r.handle({ text: "help prs_x", user, conversation });
    expect(none.text).toBe('There is no command "prs_x". Callboard commands: who-owns, show');
    expect(none.blocks).toContainEqual(context('There is no command "prs\\_x"; these are the ones I know.'));
  });

  it("rejects a phrase that is not lower-case at registration", async () => {
    const bad: Plugin = {
      id: "bad",
      register(api) {
        api.addCommand({ name: "x", phrases: ["Who"], summary: "", usage: "", handler: () => reply("") });
      },
    };
    await expect(router(bad)).rejects.toThrow('phrase "Who" must be lower-case');
  });

  it("builds the home view from every section", async () => {
    const r = await router(echo);
    expect((await r.home(user)).text).toBe("home of user:default/ada");
  });

  it("answers a line over the limit with the limit and what to do, and reads nothing further", async () => {
    const seen: string[] = [];
    const counting: Plugin = {
      id: "counting",
      register(api) {
        api.addCommand({
          name: "who-owns",
          phrases: ["who owns"],
          summary: "Who owns a thing.",
          usage: "who owns <name>",
          handler: (ctx) => {
            seen.push(ctx.args);
            return reply("ok");
          },
        });
        api.addUserResolver({
          resolve: async (u) => {
            seen.push(`identify ${u.id}`);
            return undefined;
          },
        });
        api.addOptionsProvider({
          id: "entity",
          options: async (query) => {
            seen.push(`options ${query.length}`);
            return [];
          },
        });
        api.addSearchProvider({
          id: "search",
          search: async (query) => {
            seen.push(`search ${query.length}`);
            return [];
          },
        });
      },
    };
    const r = await router(counting);
    const atLimit = `who owns ${"a".repeat(MAX_COMMAND_LENGTH - "who owns ".length)}`;
    expect((await r.handle({ text: atLimit, user, conversation })).text).toBe("ok");
    expect(seen).toHaveLength(2);

    seen.length = 0;
    for (const text of [
      `${atLimit}a`,
      `who owns ${"a".repeat(40_000)}`,
      `who owns ${"a".repeat(2_000_000)}`,
    ]) {
      const answer = await r.handle({ text, user, conversation });
      expect(answer.text).toMatch(/^That message is longer than 4,000 characters/);
      expect(answer.ephemeral).toBe(true);
      expect(answer.blocks.at(-1)).toEqual(actions({ label: "Help", command: "help" }));
    }
    expect(await r.options("entity", "a".repeat(MAX_COMMAND_LENGTH + 1), {}, user)).toEqual([]);
    expect(await r.search("a".repeat(MAX_COMMAND_LENGTH + 1), 5, user)).toEqual([]);
    expect(seen).toEqual([]);
  });
});
