import type { Plugin } from "../../../plugins/api.ts";
import { actions, context, header, links, reply, section } from "../../../message/reply.ts";
import type { FieldErrors, Form } from "../../../message/form.ts";

/** A small plugin exercising every Teams path: buttons, a long answer, a two-page form, search, unfurl. */
export const teamsTestPlugin: Plugin = {
  id: "teams-test",
  register(api) {
    api.addCommand({
      name: "who-owns",
      phrases: ["who owns", "owner of"],
      summary: "Who owns a component.",
      usage: "who owns <name>",
      handler: (ctx) =>
        reply(
          `${ctx.args} is owned by team-payments`,
          header(ctx.args),
          section(
            `**${ctx.args}** is owned by [team-payments](https://callboard.example.com/catalog/group/team-payments)`,
            [
              { label: "Owner", value: "team-payments" },
              { label: "Asked by", value: ctx.user.catalogRef ?? ctx.user.email ?? ctx.user.id },
            ],
          ),
          links([{ title: "Docs", url: "https://callboard.example.com/docs/payments-api" }]),
          actions(
            { label: `Show ${ctx.args}`, command: `show ${ctx.args}` },
            { label: "Scaffold", form: "new-service" },
          ),
          context(`thread=${ctx.conversation.threadId ?? "-"}`),
        ),
    });
    api.addCommand({
      name: "show",
      phrases: ["show"],
      summary: "Show a component.",
      usage: "show <name>",
      handler: (ctx) =>
        reply(`component ${ctx.args}`, header(`component:${ctx.args}`), section("Lifecycle: production")),
    });
    api.addCommand({
      name: "big",
      phrases: ["big"],
      summary: "A very long answer.",
      usage: "big",
      handler: () =>
        reply(
          "A long list",
          header("Everything"),
          ...Array.from({ length: 120 }, (_, i) =>
            section(`Item ${i}: ${"lorem ipsum dolor sit amet ".repeat(12)}`),
          ),
        ),
    });
    api.addCommand({
      name: "scaffold",
      phrases: ["scaffold"],
      summary: "Create a service.",
      usage: "scaffold",
      handler: () => ({
        ...reply("Create a new service", section("Fill in the form.")),
        form: newServiceForm(),
      }),
    });
    api.addForm({
      id: "new-service",
      open: () => newServiceForm(),
      validate: (_form, page, values): FieldErrors => {
        if (page === 0 && typeof values.name === "string" && !/^[a-z][a-z0-9-]*$/.test(values.name)) {
          return { name: "Use lower-case letters, digits and dashes, starting with a letter." };
        }
        if (page === 0 && !values.name) return { name: "Name is required." };
        if (page === 1 && !values.owner) return { owner: "Pick an owner." };
        return {};
      },
      submit: (_form, values) =>
        reply(
          `Created ${String(values.name)}`,
          header(`Created ${String(values.name)}`),
          section(
            `Owner: ${String(values.owner)}, replicas ${String(values.replicas)}, public ${String(values.public)}`,
          ),
        ),
    });
    api.addOptionsProvider({
      id: "owner",
      options: async (query) =>
        [
          { value: "group:default/team-payments", label: "team-payments" },
          { value: "group:default/team-platform", label: "team-platform" },
        ].filter((o) => o.label.includes(query)),
    });
    api.addSearchProvider({
      id: "catalog",
      search: async (query, limit) =>
        Array.from({ length: Math.min(limit, 3) }, (_, i) => ({
          title: `${query}-service-${i}`,
          subtitle: "Component · team-payments",
          text: "Handles card payments",
          url: `https://callboard.example.com/catalog/default/component/${query}-service-${i}`,
          command: `show ${query}-service-${i}`,
        })),
    });
    api.addLinkUnfurler({
      id: "catalog-links",
      unfurl: async (url) => {
        const name = /\/component\/([^/]+)$/.exec(url.pathname)?.[1];
        return name ? reply(`component ${name}`, header(name), section("Owner: team-payments")) : undefined;
      },
    });
    api.addUserResolver({
      resolve: async (user) => (user.email === "alice@example.com" ? "user:default/alice" : undefined),
    });
  },
};

export function newServiceForm(): Form {
  return {
    id: "new-service",
    title: "New service",
    submitLabel: "Create",
    pages: [
      {
        title: "Basics",
        fields: [
          { name: "name", label: "Name", kind: "text", required: true },
          { name: "description", label: "Description", kind: "textarea" },
        ],
      },
      {
        title: "Ownership",
        fields: [
          { name: "owner", label: "Owner", kind: "owner", required: true, entityKinds: ["group"] },
          { name: "replicas", label: "Replicas", kind: "number", default: 2 },
          { name: "public", label: "Public API", kind: "boolean" },
          {
            name: "tags",
            label: "Tags",
            kind: "multiselect",
            options: [
              { value: "java", label: "Java" },
              { value: "go", label: "Go" },
            ],
          },
        ],
      },
    ],
  };
}
