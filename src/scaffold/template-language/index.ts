/**
 * Backstage's template language (nunjucks syntax, as the scaffolder renders `${{ }}` in template YAML and
 * skeleton files), parsed by a grammar and compiled to eta templates. The engine renders skeleton paths and
 * contents with renderTemplate (precompileTemplates first for a whole skeleton), template-YAML values with
 * renderValue and `if:` results with isTruthy.
 */
import { compiled, run, type CompiledTemplate, type TemplateOptions } from "./template.ts";

export {
  addFilter,
  addGlobal,
  clearTemplateCache,
  precompileTemplates,
  type CompiledTemplate,
  type TemplateOptions,
} from "./template.ts";
export { renderValue, isTruthy } from "./render-value.ts";
export {
  TemplateSyntaxError,
  TemplateRenderError,
  TemplateLimitError,
  type TemplatePosition,
} from "./errors.ts";
export {
  createBackstageFilters,
  parseRepoUrl,
  type BackstageFilterOptions,
  type RepoSpec,
} from "./filters/backstage-filters.ts";
export type { Filter, Global } from "./runtime.ts";

/** Renders text: a skeleton file's contents or name, or a string in template YAML. */
export function renderTemplate(
  source: string,
  context: Record<string, unknown>,
  options: TemplateOptions = {},
): string {
  return run(compiled(source, options), context, options);
}

/** Parses and compiles once (cached by source and options) for rendering many times. */
export function compileTemplate(source: string, options: TemplateOptions = {}): CompiledTemplate {
  const template = compiled(source, options);
  return { render: (context) => run(template, context, options) };
}
