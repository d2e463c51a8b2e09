import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { FieldErrors, Form, FormValues, Option } from "../../message/form.ts";
import { actions, context, escapeText, header, reply, section, type Reply } from "../../message/reply.ts";
import type {
  ChatCommand,
  ChatUser,
  CommandContext,
  Conversation,
  OptionsFilter,
  OverheardMessage,
  SearchHit,
} from "../../plugins/api.ts";
import { parseCommandLine } from "./parse-command-line.ts";
import type { Registry } from "../../plugins/registry.ts";

/**
 * The longest line read as a command, in characters: a command is a few words and a name, and every step
 * after this (parsing, resolving, search) then works on bounded text on every surface. Longer lines get
 * an answer that names the limit; nothing else reads them.
 */
export const MAX_COMMAND_LENGTH = 4_000;

/**
 * For an adapter about to decode platform text (mentions, links, entities): text more than twice the limit
 * cannot shrink to a command, so it comes back cut just past the limit, undecoded, for the router to refuse
 * without anyone walking the rest of it. Undefined when the text should be decoded as usual.
 */
export function oversizedCommandText(raw: string): string | undefined {
  return raw.length > 2 * MAX_COMMAND_LENGTH ? raw.slice(0, MAX_COMMAND_LENGTH + 1) : undefined;
}

export interface Inbound {
  text: string;
  user: ChatUser;
  conversation: Conversation;
}

/**
 * The one router every surface calls. Adapters turn platform input into an Inbound, call `handle`, and
 * render the Reply; they never reach services directly.
 */
export class Router {
  private readonly phraseToCommand = new Map<string, ChatCommand>();

  constructor(
    private readonly registry: Registry,
    private readonly log: Logger,
  ) {
    for (const builtIn of [this.helpCommand()]) {
      if (!registry.commands.has(builtIn.name)) registry.addCommand(builtIn);
    }
    for (const command of registry.commands.values()) {
      for (const phrase of command.phrases) this.phraseToCommand.set(phrase, command);
    }
  }

  get commands(): ChatCommand[] {
    return [...this.registry.commands.values()];
  }

  async handle(inbound: Inbound): Promise<Reply> {
    if (inbound.text.length > MAX_COMMAND_LENGTH) return tooLong();
    const user = await this.identify(inbound.user);
    const parsed = parseCommandLine(inbound.text, this.phraseToCommand.keys());
    const command = parsed.phrase ? this.phraseToCommand.get(parsed.phrase) : undefined;
    if (!command) return this.notUnderstood(parsed.text);
    const ctx: CommandContext = {
      args: parsed.args,
      flags: parsed.flags,
      text: parsed.text,
      user,
      conversation: inbound.conversation,
      log: this.log.child({ command: command.name, surface: user.surface }),
    };
    try {
      return await command.handler(ctx);
    } catch (error) {
      // The person sees a reference, not the error: driver and engine messages carry hosts, SQL and paths.
      const reference = randomUUID().slice(0, 8);
      ctx.log.error({ err: error, reference }, "command failed");
      return reply(
        `Something went wrong running "${parsed.text}" (reference ${reference}).`,
        section(`Something went wrong running \`${parsed.text}\`.`),
        context(
          `Reference ${reference}: your operator can find the details in the log. Try again, or run \`help\`.`,
        ),
      );
    }
  }

  /** Fill in `catalogRef` from the first resolver that knows the person. */
  async identify(user: ChatUser): Promise<ChatUser> {
    if (user.catalogRef) return user;
    for (const resolver of this.registry.userResolvers) {
      try {
        const ref = await resolver.resolve(user);
        if (ref) return { ...user, catalogRef: ref };
      } catch (error) {
        this.log.warn({ err: error, surface: user.surface }, "user resolver failed");
      }
    }
    return user;
  }

  async openForm(formId: string, inbound: Inbound, args = ""): Promise<Form | undefined> {
    const definition = this.registry.forms.get(formId);
    if (!definition) return undefined;
    return definition.open(await this.contextFor(inbound, args));
  }

  async validateForm(form: Form, pageIndex: number, values: FormValues): Promise<FieldErrors> {
    const definition = this.registry.forms.get(form.id);
    if (!definition) return { _form: `This form (${form.id}) is no longer available. Start again.` };
    return definition.validate(form, pageIndex, values);
  }

  async submitForm(form: Form, values: FormValues, inbound: Inbound): Promise<Reply> {
    const definition = this.registry.forms.get(form.id);
    if (!definition) return reply(`This form (${form.id}) is no longer available. Start again.`);
    return definition.submit(form, values, await this.contextFor(inbound, ""));
  }

  async options(providerId: string, query: string, filter: OptionsFilter, user: ChatUser): Promise<Option[]> {
    const provider = this.registry.optionsProviders.get(providerId);
    if (!provider || query.length > MAX_COMMAND_LENGTH) return [];
    return provider.options(query, filter, await this.identify(user));
  }

  async search(query: string, limit: number, user: ChatUser): Promise<SearchHit[]> {
    if (query.length > MAX_COMMAND_LENGTH) return [];
    const hits: SearchHit[] = [];
    for (const provider of this.registry.searchProviders.values()) {
      hits.push(...(await provider.search(query, limit, user)));
      if (hits.length >= limit) break;
    }
    return hits.slice(0, limit);
  }

  async unfurl(url: URL): Promise<Reply | undefined> {
    for (const unfurler of this.registry.unfurlers.values()) {
      const preview = await unfurler.unfurl(url);
      if (preview) return preview;
    }
    return undefined;
  }

  /**
   * A channel message not addressed to Callboard: the first listener's answer, or undefined. Chatter is not a
   * question to Callboard, so a listener that fails is logged and the channel hears nothing of it.
   */
  async overheard(message: OverheardMessage): Promise<Reply | undefined> {
    if (message.text.length > MAX_COMMAND_LENGTH || this.registry.messageListeners.size === 0)
      return undefined;
    const heard = { ...message, user: await this.identify(message.user) };
    for (const listener of this.registry.messageListeners.values()) {
      try {
        const answer = await listener.overheard(heard);
        if (answer) return answer;
      } catch (error) {
        this.log.warn({ err: error, listener: listener.id }, "a message listener failed; staying quiet");
      }
    }
    return undefined;
  }

  async home(user: ChatUser): Promise<Reply> {
    const known = await this.identify(user);
    const parts: Reply[] = [];
    for (const homeSection of this.registry.homeSections.values()) {
      const part = await homeSection.render(known);
      if (part) parts.push(part);
    }
    if (parts.length === 0) {
      return reply("Callboard", header("Callboard"), section("Ask me `who owns <service>` or type `help`."));
    }
    return { text: parts.map((p) => p.text).join("\n"), blocks: parts.flatMap((p) => p.blocks) };
  }

  private async contextFor(inbound: Inbound, args: string): Promise<CommandContext> {
    return {
      args,
      flags: {},
      text: inbound.text,
      user: await this.identify(inbound.user),
      conversation: inbound.conversation,
      log: this.log,
    };
  }

  /** Only the person who asked sees it: a channel gains nothing from someone's typo. */
  private notUnderstood(text: string): Reply {
    if (text.length === 0) return this.help("");
    const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
    const show = this.registry.commands.get("show");
    return ephemeral(
      reply(
        `I don't know the command "${shown}". Type "help" to see what I can do.`,
        section(`I don't know the command \`${shown}\`. Type \`help\` to see what I can do.`),
        ...(show && !shown.includes(" ")
          ? [
              actions(
                { label: `Show ${shown}`, command: `show ${shown}` },
                { label: "Help", command: "help" },
              ),
            ]
          : [actions({ label: "Help", command: "help" })]),
      ),
    );
  }

  /** Help is for the person who asked, like the not-understood answer that offers it. */
  private help(topic: string): Reply {
    return ephemeral(this.helpText(topic));
  }

  private helpText(topic: string): Reply {
    const wanted = topic.toLowerCase().trim();
    if (wanted) {
      const command =
        this.registry.commands.get(wanted) ??
        this.phraseToCommand.get(wanted) ??
        [...this.registry.commands.values()].find((c) => c.phrases.some((p) => wanted.startsWith(p)));
      if (command) {
        return reply(
          `${command.name}: ${command.summary}`,
          header(command.name),
          section(command.summary, [{ label: "Usage", value: `\`${command.usage}\`` }]),
          ...(command.examples?.length
            ? [context(`Examples: ${command.examples.map((e) => `\`${e}\``).join(", ")}`)]
            : []),
        );
      }
    }
    const listed = [...this.registry.commands.values()].filter((c) => c.name !== "help");
    // A topic that names no command says so, rather than answering as if only `help` had been typed.
    const shown = wanted.length > 60 ? `${wanted.slice(0, 57)}...` : wanted;
    const unknown = wanted ? `There is no command "${shown}". ` : "";
    return reply(
      `${unknown}Callboard commands: ${listed.map((c) => c.name).join(", ")}`,
      header("Callboard commands"),
      ...(wanted ? [context(`There is no command "${escapeText(shown)}"; these are the ones I know.`)] : []),
      // The usage on a line of its own: where code does not stand out (a Teams card), it ran into the summary.
      ...listed.map((c) => section(`\`${c.usage}\`\n${c.summary}`)),
      context(
        "Names can be a full ref (component:default/payments-api) or just the name. `help <command>` says more.",
      ),
    );
  }

  private helpCommand(): ChatCommand {
    return {
      name: "help",
      phrases: ["help", "commands", "what can you do"],
      summary: "List the commands, or explain one.",
      usage: "help [command]",
      examples: ["help", "help who-owns"],
      handler: (ctx) => this.help(ctx.args),
    };
  }
}

function ephemeral(answer: Reply): Reply {
  return { ...answer, ephemeral: true };
}

const LIMIT_TEXT = MAX_COMMAND_LENGTH.toLocaleString("en");

/** Only the sender needs to see this; it says the limit and what a command looks like. */
function tooLong(): Reply {
  return {
    ...reply(
      `That message is longer than ${LIMIT_TEXT} characters, the most I read as one command. ` +
        `Send the command with just a name or a few words, such as "who owns payments-api".`,
      section(`That message is longer than **${LIMIT_TEXT} characters**, the most I read as one command.`),
      context(
        "Send the command with just a name or a few words, such as `who owns payments-api` or " +
          "`search kafka consumer`. `help` lists the commands.",
      ),
      actions({ label: "Help", command: "help" }),
    ),
    ephemeral: true,
  };
}
