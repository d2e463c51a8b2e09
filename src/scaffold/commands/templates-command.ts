import { actions, context, header, reply, section, type Block, type Reply } from "../../message/reply.ts";
import { escapeText } from "../../message/reply.ts";
import type { ChatCommand } from "../../plugins/api.ts";
import type { Scaffolder, TemplateListing } from "../scaffolder.ts";

const MAX_LISTED = 40;

/** `scaffold templates`: the catalog's software templates, which may run here, and why not where not. */
export function templatesCommand(scaffolder: Scaffolder): ChatCommand {
  return {
    name: "scaffold-templates",
    phrases: ["scaffold templates"],
    summary: "The software templates in the catalog, with what each makes and whether it may run here.",
    usage: "scaffold templates",
    examples: ["scaffold templates"],
    handler: () => templatesReply(scaffolder.listTemplates()),
  };
}

export function templatesReply(templates: TemplateListing[]): Reply {
  if (templates.length === 0) {
    return reply(
      "There are no software templates in the catalog.",
      header("Software templates"),
      section("There are no software templates in the catalog."),
      context(
        "Templates are catalog entities of kind Template (a template.yaml); import the folder that holds them.",
      ),
    );
  }
  const runnable = templates.filter((t) => t.runnable).length;
  const blocks: Block[] = [header("Software templates")];
  for (const template of templates.slice(0, MAX_LISTED)) {
    const lines = [`**${escapeText(template.title)}** (\`${template.name}\`)`];
    if (template.description) lines.push(escapeText(template.description));
    if (template.tags.length > 0) lines.push(`Tags: ${template.tags.map((t) => `\`${t}\``).join(", ")}`);
    blocks.push(section(lines.join("\n")));
    if (!template.runnable && template.reason) blocks.push(context(escapeText(template.reason)));
    // A runnable one opens its form from here (`scaffold <name>` checks who may run it).
    if (template.runnable) blocks.push(actions({ label: "Create", command: `scaffold ${template.name}` }));
  }
  if (templates.length > MAX_LISTED) blocks.push(context(`${templates.length - MAX_LISTED} more not shown.`));
  const summary = templates
    .map((t) => `${t.title} (${t.name})${t.runnable ? "" : " [not runnable]"}`)
    .join(", ");
  return reply(`${templates.length} software templates, ${runnable} runnable here: ${summary}`, ...blocks);
}
