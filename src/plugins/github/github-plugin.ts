/**
 * The GitHub chat plugin: `prs`, `ci`, `repo` and `checks` for a catalog component, read from the repository
 * its `github.com/project-slug` annotation names. It is built only on the public plugin API (../api.ts) and
 * the GitHub client (src/github), as the worked example in docs/plugins.md.
 */
import { GitHubClient } from "../../github/github-client.ts";
import { githubConfigSection, githubSettings } from "../../github/github-config.ts";
import { definePlugin, type ChatCommand, type Plugin } from "../api.ts";
import { checksCommand } from "./checks-command.ts";
import { ciCommand } from "./ci-command.ts";
import { notConfiguredReply } from "./github-failure.ts";
import { prsCommand } from "./prs-command.ts";
import type { GitHubCommandDeps } from "./read-repository.ts";
import { repoCommand } from "./repo-command.ts";

export interface GitHubPluginOptions {
  /** The clock ages are measured against (tests fix it). */
  now?: () => Date;
}

export function githubPlugin(options: GitHubPluginOptions = {}): Plugin<typeof githubConfigSection.schema> {
  return definePlugin({
    // The plugin's id is its settings section's: it reads GitHub's own settings (github: in callboard.yaml).
    id: "github",
    config: githubConfigSection,
    register(api) {
      const settings = githubSettings(api.config);
      const commands = (deps: GitHubCommandDeps | undefined): ChatCommand[] => {
        const made = [prsCommand, ciCommand, repoCommand, checksCommand].map((make) =>
          make(deps ?? ({} as GitHubCommandDeps)),
        );
        // Without settings every command answers with what to set (the composition root registers the plugin
        // only when GitHub is configured; a third party's may not).
        return deps ? made : made.map((command) => ({ ...command, handler: () => notConfiguredReply() }));
      };
      if (!settings) {
        for (const command of commands(undefined)) api.addCommand(command);
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
      for (const command of commands(deps)) api.addCommand(command);
    },
  });
}
