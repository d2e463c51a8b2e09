/**
 * The GitHub chat plugin: `prs`, `ci`, `repo` and `checks` for a catalog component (and a form, `github`, to pick one), read from the repository
 * its `github.com/project-slug` annotation names. It is built only on the public plugin API (../api.ts) and
 * the GitHub client (src/github), as the worked example in docs/plugins.md.
 */
import { GitHubClient } from "../../github/github-client.ts";
import { githubConfigSection, githubSettings } from "../../github/github-config.ts";
import { definePlugin, type Plugin } from "../api.ts";
import { checksCommand } from "./checks-command.ts";
import { ciCommand } from "./ci-command.ts";
import { notConfiguredReply } from "./github-failure.ts";
import { githubForm, githubFormCommand } from "./github-form.ts";
import { prsCommand } from "./prs-command.ts";
import type { GitHubCommandDeps } from "./read-repository.ts";
import { repoCommand } from "./repo-command.ts";

export interface GitHubPluginOptions {
  /** The clock ages are measured against (tests fix it). */
  now?: () => Date;
}

const COMMANDS = [prsCommand, ciCommand, repoCommand, checksCommand];

/** Commands read their dependencies only in their handlers, which the unconfigured plugin replaces. */
const UNCONFIGURED = {} as GitHubCommandDeps;

export function githubPlugin(options: GitHubPluginOptions = {}): Plugin<typeof githubConfigSection.schema> {
  return definePlugin({
    // The plugin's id is its settings section's: it reads GitHub's own settings (github: in callboard.yaml).
    id: "github",
    config: githubConfigSection,
    register(api) {
      const settings = githubSettings(api.config);
      if (!settings) {
        // Every command answers with what to set. The composition root registers this plugin only when GitHub
        // is configured; another composition may not.
        for (const make of COMMANDS) {
          api.addCommand({ ...make(UNCONFIGURED), handler: () => notConfiguredReply() });
        }
        return;
      }
      // Its own client, so a rate limit is answered at once ("ask again at 10:42") instead of waited out for
      // up to an hour while a person watches: chat wants an answer now.
      const github = new GitHubClient(settings, { log: api.log, rateLimitRetries: 0 });
      const deps: GitHubCommandDeps = {
        catalog: api.catalog,
        github,
        now: options.now ?? (() => new Date()),
      };
      const commands = COMMANDS.map((make) => make(deps));
      for (const command of commands) api.addCommand(command);
      api.addCommand(githubFormCommand());
      api.addForm(githubForm(api.catalog, new Map(commands.map((command) => [command.name, command]))));
    },
  });
}
