/**
 * Doc suggestions in threads. In a channel where someone turned them on (`docs suggestions on`; off by default),
 * a person's message that asks something gets at most one reply in its thread, with up to three section links,
 * and only when the match is strong (suggest.ts). A thread gets one suggestion, ever: the claim is durable.
 */
import { context, links, reply, section, escapeText, type Reply } from "../../message/reply.ts";
import type {
  ChatCommand,
  CommandContext,
  MessageListener,
  OverheardMessage,
  Plugin,
} from "../../plugins/api.ts";
import type { DocSuggestionStore } from "../../state/doc-suggestion-store.ts";
import type { SectionIndex } from "../web/section-index.ts";
import { sectionPath } from "../web/section-index.ts";
import { asksSomething } from "./question.ts";
import { suggestSections } from "./suggest.ts";

export interface DocSuggestionDeps {
  sections: SectionIndex;
  store: DocSuggestionStore;
  /** Public base URL: links in suggestions point under it. */
  baseUrl: string;
}

const USAGE = "docs suggestions on | off";

/** Where a conversation's setting is kept: the platform and its channel, or why there is none. */
function channelOf(ctx: CommandContext): { surface: string; channelId: string } | string {
  const { surface, channelId } = ctx.conversation;
  if (surface === "shell" || surface === "cli" || !channelId) {
    return "Doc suggestions answer questions in Slack and Teams channels; turn them on in the channel itself.";
  }
  // Slack direct messages (D…) are all addressed to Callboard: it answers those as commands already.
  if (surface === "slack" && channelId.startsWith("D")) {
    return "In a direct message every line is a question to me already; turn doc suggestions on in a channel.";
  }
  return { surface, channelId };
}

export function docSuggestionsCommand(deps: DocSuggestionDeps): ChatCommand {
  return {
    name: "docs-suggestions",
    phrases: ["docs suggestions", "doc suggestions"],
    summary: "Turn doc suggestions in this channel's threads on or off",
    usage: USAGE,
    examples: ["docs suggestions on", "docs suggestions off"],
    async handler(ctx) {
      const where = channelOf(ctx);
      if (typeof where === "string") return { ...reply(where), ephemeral: true };
      const wanted = ctx.args.toLowerCase().trim();
      if (wanted !== "on" && wanted !== "off") {
        const now = await deps.store.setting(where.surface, where.channelId);
        const state = now?.enabled ? "on" : "off";
        const since = now ? ` since ${now.changedAt.toISOString().slice(0, 10)}` : "";
        return {
          ...reply(
            `Doc suggestions are ${state} in this channel${since}. Type \`${USAGE}\`.`,
            section(`Doc suggestions are **${state}** in this channel${escapeText(since)}.`),
            context(
              "When on, a question asked here gets one reply in its thread with up to three doc sections, " +
                `when the docs match it well. Anyone in the channel can type \`${USAGE}\`.`,
            ),
          ),
          ephemeral: true,
        };
      }
      const enabled = wanted === "on";
      await deps.store.set(where.surface, where.channelId, enabled, ctx.user.id);
      const who = ctx.user.name ?? ctx.user.id;
      // Everyone in the channel sees the change and who made it: it changes what they all get.
      return enabled
        ? reply(
            `Doc suggestions are now on in this channel (turned on by ${who}).`,
            section(`Doc suggestions are now **on** in this channel, turned on by ${escapeText(who)}.`),
            context(
              "A question asked here gets at most one reply in its thread, with up to three doc sections, and " +
                "only when the docs match it well. `docs suggestions off` turns them off.",
            ),
          )
        : reply(
            `Doc suggestions are now off in this channel (turned off by ${who}).`,
            section(`Doc suggestions are now **off** in this channel, turned off by ${escapeText(who)}.`),
          );
    },
  };
}

export function docSuggestionsListener(deps: DocSuggestionDeps): MessageListener {
  const base = deps.baseUrl.replace(/\/+$/, "");
  const origin = new URL(base).origin;
  const basePath = new URL(base).pathname.replace(/\/+$/, "");
  return {
    id: "doc-suggestions",
    async overheard(message: OverheardMessage): Promise<Reply | undefined> {
      // Cheapest first: most channel messages are not questions, and those cost no database read.
      if (!asksSomething(message.text)) return undefined;
      const { surface, channelId, threadId } = message.conversation;
      const setting = await deps.store.setting(surface, channelId);
      if (!setting?.enabled) return undefined;
      const hits = suggestSections(deps.sections, message.text);
      if (hits.length === 0) return undefined;
      if (!(await deps.store.claimThread(surface, channelId, threadId))) return undefined;
      const items = hits.map((hit) => {
        const { section: s } = hit;
        const where = s.anchor && s.heading !== s.pageTitle ? `${s.pageTitle} › ${s.heading}` : s.pageTitle;
        return { title: `${where} (${s.siteName})`, url: `${origin}${basePath}${sectionPath(s)}` };
      });
      return reply(
        `These docs may help: ${items.map((i) => `${i.title} ${i.url}`).join("; ")}`,
        section("These docs may help:"),
        links(items),
        context("Doc suggestions are on in this channel; `docs suggestions off` turns them off."),
      );
    },
  };
}

export function docSuggestionsPlugin(deps: DocSuggestionDeps): Plugin {
  return {
    id: "doc-suggestions",
    register(api) {
      api.addCommand(docSuggestionsCommand(deps));
      api.addMessageListener(docSuggestionsListener(deps));
    },
  };
}
