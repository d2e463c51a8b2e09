import { userInfo } from "node:os";
import { z } from "zod";
import { defineConfigSection, optionalText } from "../../plugins/config-section.ts";
import { defineAdapterModule } from "../core/adapter.ts";
import { createShellAdapter } from "./shell-adapter.ts";

/** The terminal chat's settings: who you are in it. */
export const shellSettings = defineConfigSection({
  id: "shell",
  schema: z.object({
    /** Maps the person at the terminal to a catalog User. */
    CALLBOARD_USER_EMAIL: optionalText,
  }),
});

/** The terminal chat: the adapter that runs when no chat platform is configured. */
export const shellModule = defineAdapterModule({
  name: "shell",
  label: "the terminal",
  settings: shellSettings,
  fallback: true,
  usesTerminal: true,
  enabled: () => false,
  describe: () => "the terminal chat",
  create: (values, services, context) => {
    const interactive = Boolean(process.stdin.isTTY);
    // Piped runs keep stdout for answers only; the notes go to stderr.
    if (!interactive) process.stderr.write(`${context.notes.join("\n")}\n`);
    return createShellAdapter(
      {
        input: process.stdin,
        output: process.stdout,
        interactive,
        user: {
          surface: "shell",
          id: userInfo().username,
          ...(values.CALLBOARD_USER_EMAIL ? { email: values.CALLBOARD_USER_EMAIL } : {}),
        },
        banner: `Callboard\n${context.notes.join("\n")}\n`,
      },
      services,
    );
  },
});
