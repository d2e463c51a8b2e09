import type { Plugin } from "../../plugins/api.ts";
import { builtinActions, type BuiltinActionOptions } from "../actions/builtin-actions.ts";
import type { Scaffolder } from "../scaffolder.ts";
import { templatesCommand } from "./templates-command.ts";

/**
 * The scaffolder as a plugin: the `scaffold templates` command and the built-in actions, registered
 * through the plugin API like any other plugin's. (Running templates from chat comes with forms.)
 */
export function scaffoldPlugin(deps: { scaffolder: Scaffolder; actions: BuiltinActionOptions }): Plugin {
  return {
    id: "scaffold",
    register(api) {
      api.addCommand(templatesCommand(deps.scaffolder));
      for (const action of builtinActions(deps.actions)) api.addAction(action);
    },
  };
}
