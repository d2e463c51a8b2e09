import type { GitHubClient } from "../../github/github-client.ts";
import type { Plugin } from "../../plugins/api.ts";
import { builtinActions, type BuiltinActionOptions } from "../actions/builtin-actions.ts";
import { githubActions } from "../actions/github/github-actions.ts";
import type { Scaffolder } from "../scaffolder.ts";
import { templatesCommand } from "./templates-command.ts";

/**
 * The scaffolder as a plugin: the `scaffold templates` command and the built-in actions, registered
 * through the plugin API like any other plugin's. (Running templates from chat comes with forms.)
 */
export function scaffoldPlugin(deps: {
  scaffolder: Scaffolder;
  actions: BuiltinActionOptions;
  /** When GitHub is configured: publish:github, publish:github:pull-request, github:repo:create and :push. */
  github?: GitHubClient;
}): Plugin {
  return {
    id: "scaffold",
    register(api) {
      api.addCommand(templatesCommand(deps.scaffolder));
      for (const action of builtinActions(deps.actions)) api.addAction(action);
      for (const action of deps.github ? githubActions(deps.github) : []) api.addAction(action);
    },
  };
}
