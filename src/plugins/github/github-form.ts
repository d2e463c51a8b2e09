/**
 * `github`: a form for people who would rather pick than type. One page: the component (the catalog's entity
 * picker, components only) and what to see of its repository; submitting answers as `prs`, `ci` or `repo`
 * would. The worked example of a form: open, validate per field, submit.
 */
import type { ChatCommand, CatalogView, Form, FormDefinition } from "../api.ts";
import { reply } from "../api.ts";
import { SLUG_ANNOTATION } from "./repository-target.ts";

export const GITHUB_FORM = "github-repository";

const VIEWS = [
  { value: "prs", label: "Open pull requests" },
  { value: "ci", label: "CI on the default branch" },
  { value: "repo", label: "The repository" },
];

function form(component: string): Form {
  return {
    id: GITHUB_FORM,
    title: "A component on GitHub",
    submitLabel: "Show",
    pages: [
      {
        title: "What to show",
        fields: [
          {
            name: "component",
            label: "Component",
            kind: "entity",
            entityKinds: ["component"],
            required: true,
            ...(component ? { default: component } : {}),
            description: `A component with a ${SLUG_ANNOTATION} annotation.`,
          },
          { name: "view", label: "Show", kind: "radio", options: VIEWS, default: "prs", required: true },
        ],
      },
    ],
  };
}

/** The command that opens the form, with what was typed after it as the component. */
export function githubFormCommand(): ChatCommand {
  return {
    name: "github",
    phrases: ["github"],
    summary: "Pick a component and see its pull requests, CI or repository on GitHub.",
    usage: "github [component]",
    examples: ["github", "github payments-api"],
    handler: (ctx) => ({ ...reply("Opening the GitHub form."), form: form(ctx.args.slice(0, 200)) }),
  };
}

/** `commands` answer the submitted choice: the prs, ci and repo commands, by name. */
export function githubForm(catalog: CatalogView, commands: ReadonlyMap<string, ChatCommand>): FormDefinition {
  return {
    id: GITHUB_FORM,
    open: (ctx) => form(ctx.args.slice(0, 200)),
    async validate(_form, _page, values) {
      const errors: Record<string, string> = {};
      const component = typeof values.component === "string" ? values.component.trim() : "";
      if (!component) errors.component = "Pick a component.";
      else if (component.length > 300) errors.component = "That is longer than any component name.";
      else {
        const found = await catalog.lookup(component, { command: "github", kinds: ["component"] });
        if ("reply" in found) errors.component = found.reply.text;
        else if (found.found.entity.metadata.annotations?.[SLUG_ANNOTATION] === undefined) {
          errors.component =
            `${found.found.entity.metadata.name} has no ${SLUG_ANNOTATION} annotation: add one to ` +
            `${found.found.definedIn?.replace(/`/g, "") ?? "its catalog-info.yaml"}, or pick another component.`;
        }
      }
      if (!VIEWS.some((v) => v.value === values.view))
        errors.view = "Pick pull requests, CI or the repository.";
      return errors;
    },
    async submit(_form, values, ctx) {
      const command = commands.get(String(values.view));
      if (!command) return reply("Pick pull requests, CI or the repository.");
      return command.handler({ ...ctx, args: String(values.component).trim(), flags: {} });
    },
  };
}
