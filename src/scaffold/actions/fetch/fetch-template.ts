import { chmod, lstat, mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, extname } from "node:path";
import { glob } from "tinyglobby";
import { renderTemplate, type TemplateOptions } from "../../template-language/index.ts";
import { isBinary } from "../../workspace/binary.ts";
import { PathEscapeError, resolveInsideReal } from "../../workspace/safe-path.ts";
import { ScaffolderInputError, type ActionContext, type ScaffolderAction } from "../action.ts";
import {
  checkedLinkTarget,
  checkLinkInWorkspace,
  DEFAULT_SKELETON_LIMITS,
  resolveFetchUrl,
  walkSkeleton,
  type SkeletonLimits,
} from "./skeleton.ts";

export interface FetchTemplateInput {
  url: string;
  targetPath?: string;
  values?: Record<string, unknown>;
  copyWithoutRender?: string[];
  copyWithoutTemplating?: string[];
  cookiecutterCompat?: boolean;
  templateFileExtension?: string | boolean;
  replace?: boolean;
  trimBlocks?: boolean;
  lstripBlocks?: boolean;
  token?: string;
}

export interface FetchOptions {
  limits?: SkeletonLimits;
  /** Filters and globals plugins added to the template language. */
  language?: Pick<TemplateOptions, "filters" | "globals">;
}

const INPUT_SCHEMA = {
  type: "object",
  required: ["url"],
  properties: {
    url: { type: "string", description: "Path of the skeleton folder, relative to the template's folder." },
    targetPath: {
      type: "string",
      description: "Where in the workspace to write. Default: the workspace root.",
    },
    values: { type: "object", description: "Values the skeleton reads as `values.<name>`." },
    copyWithoutRender: {
      type: "array",
      items: { type: "string" },
      description: "Deprecated: globs copied without rendering their contents or names.",
    },
    copyWithoutTemplating: {
      type: "array",
      items: { type: "string" },
      description: "Globs whose contents are copied as they are (names are still rendered).",
    },
    cookiecutterCompat: {
      type: "boolean",
      description: "`{{ }}` expressions and `cookiecutter.<name>` values.",
    },
    templateFileExtension: {
      type: ["string", "boolean"],
      description: "Render only files with this extension (true: .njk) and drop it.",
    },
    replace: {
      type: "boolean",
      description: "Overwrite files already in the workspace (default: keep them).",
    },
    trimBlocks: { type: "boolean" },
    lstripBlocks: { type: "boolean" },
    token: { type: "string" },
  },
};

/**
 * `fetch:template`: copies the skeleton into the workspace, rendering file contents and file and folder
 * names with `values`. As in Backstage, a name whose path segment renders empty drops that file or
 * folder, binary files and symlinks are copied as they are, modes are kept, and existing files are kept
 * unless `replace`. Every rendered path, and every symlink, must stay inside the workspace.
 */
export function fetchTemplateAction(options: FetchOptions = {}): ScaffolderAction<FetchTemplateInput> {
  return {
    id: "fetch:template",
    description:
      "Copies a skeleton from the template's folder into the workspace, rendering file contents and names with `values`.",
    schema: { input: INPUT_SCHEMA },
    supportsDryRun: true,
    handler: (ctx) => fetchTemplate(ctx, options),
  };
}

async function fetchTemplate(ctx: ActionContext<FetchTemplateInput>, options: FetchOptions): Promise<void> {
  const { input } = ctx;
  const label = "fetch:template";
  const settings = patternSettings(input);
  const skeleton = await resolveFetchUrl(ctx, input.url);
  const outputDir = await resolveInsideReal(ctx.workspacePath, input.targetPath ?? "./", "targetPath");
  const entries = await walkSkeleton(skeleton, options.limits ?? DEFAULT_SKELETON_LIMITS, label);
  const verbatim = new Set(
    settings.patterns.length > 0
      ? await glob(settings.patterns, {
          cwd: skeleton,
          dot: true,
          onlyFiles: false,
          followSymbolicLinks: false,
        })
      : [],
  );
  const context = { [input.cookiecutterCompat ? "cookiecutter" : "values"]: input.values ?? {} };
  const language: TemplateOptions = {
    ...options.language,
    cookiecutterCompat: input.cookiecutterCompat === true,
    trimBlocks: input.trimBlocks === true,
    lstripBlocks: input.lstripBlocks === true,
  };
  ctx.logger.info(`Processing ${entries.length} template files/directories from ${input.url}`);
  let written = 0;
  for (const entry of entries) {
    ctx.signal.throwIfAborted();
    const key = entry.type === "directory" ? `${entry.path}/` : entry.path;
    let renderContents: boolean;
    let outputPath = entry.path;
    const renderName = (name: string) =>
      name.includes("{")
        ? renderTemplate(name, context, { ...language, file: `${input.url}/${entry.path} (its name)` })
        : name;
    if (settings.extension) {
      renderContents = extname(outputPath) === settings.extension;
      if (renderContents) outputPath = outputPath.slice(0, -settings.extension.length);
      outputPath = renderName(outputPath);
    } else {
      renderContents = !verbatim.has(key);
      if (settings.renderNames || renderContents) outputPath = renderName(outputPath);
    }
    if (
      outputPath === "" ||
      outputPath.startsWith("/") ||
      outputPath.includes("//") ||
      outputPath.endsWith("/")
    ) {
      ctx.logger.info(`Skipping ${entry.path}: a part of its name rendered empty.`);
      continue;
    }
    let target: string;
    try {
      target = await resolveInsideReal(outputDir, outputPath, "the rendered path");
    } catch (error) {
      if (!(error instanceof PathEscapeError)) throw error;
      throw new ScaffolderInputError(
        `${label}: skeleton entry "${entry.path}" renders to "${outputPath}", which is outside the workspace. ` +
          `Check the values it uses (a value containing "../", say). ${error.message}`,
      );
    }
    if (entry.type === "directory") {
      await mkdir(target, { recursive: true });
      continue;
    }
    if (!input.replace && (await exists(target))) {
      ctx.logger.info(
        `Keeping ${outputPath}: it is already in the workspace (set replace: true to overwrite).`,
      );
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    if (entry.type === "symlink") {
      const link = await checkedLinkTarget(entry, skeleton, label);
      checkLinkInWorkspace(target, link, ctx.workspacePath, label);
      await writeLink(target, link, input.replace === true);
      written++;
      continue;
    }
    const bytes = await readFile(entry.full);
    if (isBinary(bytes) || !renderContents) {
      await writeFile(target, bytes, { mode: entry.mode });
    } else {
      const text = renderTemplate(bytes.toString("utf8"), context, {
        ...language,
        file: `${input.url}/${entry.path}`,
      });
      await writeFile(target, text, { mode: entry.mode });
    }
    await chmod(target, entry.mode);
    written++;
  }
  ctx.logger.info(
    `Template result written to ${input.targetPath ?? "the workspace root"} (${written} files).`,
  );
}

/** Backstage's rules for copyWithoutRender / copyWithoutTemplating / templateFileExtension. */
function patternSettings(input: FetchTemplateInput): {
  patterns: string[];
  renderNames: boolean;
  extension: string | false;
} {
  if (input.copyWithoutRender && input.copyWithoutTemplating) {
    throw new ScaffolderInputError(
      "fetch:template: give copyWithoutRender or copyWithoutTemplating, not both.",
    );
  }
  const patterns = input.copyWithoutTemplating ?? input.copyWithoutRender ?? [];
  if (input.templateFileExtension && (patterns.length > 0 || input.cookiecutterCompat)) {
    throw new ScaffolderInputError(
      "fetch:template: templateFileExtension cannot be combined with copyWithoutRender, copyWithoutTemplating or cookiecutterCompat.",
    );
  }
  let extension: string | false = false;
  if (input.templateFileExtension) {
    extension = input.templateFileExtension === true ? ".njk" : input.templateFileExtension;
    if (!extension.startsWith(".")) extension = `.${extension}`;
  }
  return { patterns, renderNames: input.copyWithoutRender === undefined, extension };
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function writeLink(target: string, link: string, replace: boolean): Promise<void> {
  if (replace) await rm(target, { force: true });
  await symlink(link, target);
}
