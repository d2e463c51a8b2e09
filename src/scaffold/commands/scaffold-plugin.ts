import type { GitHubClient } from "../../github/github-client.ts";
import type { Plugin } from "../../plugins/api.ts";
import { builtinActions, type BuiltinActionOptions } from "../actions/builtin-actions.ts";
import { githubActions } from "../actions/github/github-actions.ts";
import { catalogPicker, type PickerCatalog } from "../chat/catalog-picker.ts";
import { ProgressReporter } from "../chat/progress-reporter.ts";
import { retryForm } from "../chat/retry-form.ts";
import { scaffoldCommands } from "../chat/scaffold-commands.ts";
import { scaffoldForm } from "../chat/scaffold-form.ts";
import { renderTaskProgress } from "../chat/task-progress.ts";
import type { Scaffolder } from "../scaffolder.ts";
import type { ScaffoldTasks } from "../tasks/scaffold-tasks.ts";
import { templatesCommand } from "./templates-command.ts";

export interface ScaffoldPluginDeps {
  scaffolder: Scaffolder;
  actions: BuiltinActionOptions;
  /** When GitHub is configured: publish:github, publish:github:pull-request, github:repo:create and :push. */
  github?: GitHubClient;
  /** Durable tasks: with them, templates run from chat (`scaffold`, its form, progress, tasks commands). */
  tasks?: ScaffoldTasks;
  /** What template pickers offer (EntityPicker and family); without it they have no type-ahead. */
  pickers?: PickerCatalog;
  /** A catalog page for an entity, for `output.links[].entityRef` in progress messages. */
  entityUrl?: (ref: string) => string | undefined;
}

/**
 * The scaffolder as a plugin, registered through the plugin API like any other: `scaffold templates` and the
 * built-in actions; with durable tasks, running templates from chat: `scaffold`, the template's form, progress
 * posted where it was asked for and kept up to date by whichever process runs the task, and `scaffold tasks`,
 * `log`, `cancel`, `retry`.
 */
export function scaffoldPlugin(deps: ScaffoldPluginDeps): Plugin {
  return {
    id: "scaffold",
    register(api) {
      api.addCommand(templatesCommand(deps.scaffolder));
      for (const action of builtinActions(deps.actions)) api.addAction(action);
      for (const action of deps.github ? githubActions(deps.github) : []) api.addAction(action);
      const { tasks } = deps;
      if (!tasks) return;
      const renderProgress = async (taskId: string) => {
        const progress = await tasks.progress(taskId);
        return progress
          ? renderTaskProgress(progress, {
              now: new Date(),
              ...(deps.entityUrl ? { entityUrl: deps.entityUrl } : {}),
            })
          : undefined;
      };
      const progress = new ProgressReporter({
        tasks,
        outbox: api.outbox,
        render: (state) =>
          renderTaskProgress(state, {
            now: new Date(),
            ...(deps.entityUrl ? { entityUrl: deps.entityUrl } : {}),
          }),
        log: api.log,
      });
      tasks.observe(progress);
      api.addForm(scaffoldForm({ scaffolder: deps.scaffolder, tasks, progress, renderProgress }));
      api.addForm(retryForm(tasks));
      for (const command of scaffoldCommands({ scaffolder: deps.scaffolder, tasks, renderProgress })) {
        api.addCommand(command);
      }
      if (deps.pickers) api.addOptionsProvider(catalogPicker(deps.pickers));
    },
  };
}
