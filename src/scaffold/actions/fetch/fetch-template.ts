import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { glob } from "tinyglobby";
import { precompileTemplates, renderTemplate, type TemplateOptions } from "../../template-language/index.ts";
import { isBinary } from "../../workspace/binary.ts";
import { eachLimited, FileWriter, WritePipeline } from "../../workspace/file-writer.ts";
import { PathEscapeError, resolveInside, resolveInsideReal } from "../../workspace/safe-path.ts";
import { ScaffolderInputError, type ActionContext, type ScaffolderAction } from "../action.ts";
import {
  checkedLinkTarget,
  DEFAULT_SKELETON_LIMITS,
  resolveFetchUrl,
  walkSkeleton,
  type SkeletonEntry,
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

/** Files read, rendered and written at a time: enough to keep the disk busy, few enough to bound memory. */
const CHUNK = 32;
const WRITES_IN_FLIGHT = 32;

interface PlannedFile {
  entry: SkeletonEntry;
  target: string;
  shown: string;
  renderContents: boolean;
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

  // Names first, compiled in one batch: a skeleton's names and contents are hundreds of small templates.
  precompileTemplates(
    entries.map((e) => e.path).filter((p) => p.includes("{")),
    language,
  );
  const folders: string[] = [];
  const files: PlannedFile[] = [];
  const links: PlannedFile[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const planned = planEntry(entry, settings, verbatim, context, language, input.url, outputDir, label);
    if (!planned) {
      ctx.logger.info(`Skipping ${entry.path}: a part of its name rendered empty.`);
      continue;
    }
    if (seen.has(planned.target)) {
      ctx.logger.warn(`Skipping ${entry.path}: another skeleton entry already renders to ${planned.shown}.`);
      continue;
    }
    seen.add(planned.target);
    if (entry.type === "directory") folders.push(planned.target);
    else (entry.type === "symlink" ? links : files).push(planned);
  }

  const writer = new FileWriter(ctx.workspacePath);
  const replace = input.replace === true;
  await eachLimited(folders, 16, (folder) => writer.folder(folder));
  let written = 0;
  const kept: string[] = [];
  // Rendering is work for this thread, writing is the disk's: files are written while the next ones render.
  const writes = new WritePipeline(WRITES_IN_FLIGHT);
  for (let start = 0; start < files.length; start += CHUNK) {
    ctx.signal.throwIfAborted();
    const chunk = files.slice(start, start + CHUNK);
    // Skeleton files are small and just listed, so reading them is a page-cache copy: done in one go.
    const contents = chunk.map((file) => readFileSync(file.entry.full));
    const texts = chunk.map((file, i) =>
      file.renderContents && !isBinary(contents[i]!) ? contents[i]!.toString("utf8") : undefined,
    );
    precompileTemplates(
      texts.filter((t): t is string => t !== undefined),
      language,
    );
    for (const [i, file] of chunk.entries()) {
      const text = texts[i];
      const data =
        text === undefined
          ? contents[i]!
          : renderTemplate(text, context, { ...language, file: `${input.url}/${file.entry.path}` });
      await writes.add(
        writer.write(file.target, data, file.entry.mode, replace).then((done) => {
          if (done) written++;
          else kept.push(file.shown);
        }),
      );
    }
    // Let other work on this process run between chunks.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await writes.drain();
  for (const link of links) {
    const target = await checkedLinkTarget(link.entry, skeleton, label);
    if (await writer.link(link.target, target, replace)) written++;
    else kept.push(link.shown);
  }
  if (kept.length > 0) {
    ctx.logger.info(
      `Kept ${kept.length} files already in the workspace (set replace: true to overwrite): ${kept.join(", ")}`,
    );
  }
  ctx.logger.info(
    `Template result written to ${input.targetPath ?? "the workspace root"} (${written} files).`,
  );
}

/** Where one skeleton entry goes: its rendered path, checked to stay inside; undefined when it is skipped. */
function planEntry(
  entry: SkeletonEntry,
  settings: ReturnType<typeof patternSettings>,
  verbatim: Set<string>,
  context: Record<string, unknown>,
  language: TemplateOptions,
  url: string,
  outputDir: string,
  label: string,
): PlannedFile | undefined {
  const key = entry.type === "directory" ? `${entry.path}/` : entry.path;
  const renderName = (name: string) =>
    name.includes("{")
      ? renderTemplate(name, context, { ...language, file: `${url}/${entry.path} (its name)` })
      : name;
  let renderContents: boolean;
  let shown = entry.path;
  if (settings.extension) {
    renderContents = extname(shown) === settings.extension;
    if (renderContents) shown = shown.slice(0, -settings.extension.length);
    shown = renderName(shown);
  } else {
    renderContents = !verbatim.has(key);
    if (settings.renderNames || renderContents) shown = renderName(shown);
  }
  // As Backstage: an empty name, or an empty segment anywhere in the path, drops the entry.
  if (shown === "" || shown.startsWith("/") || shown.includes("//") || shown.endsWith("/")) return undefined;
  try {
    return { entry, target: resolveInside(outputDir, shown, "the rendered path"), shown, renderContents };
  } catch (error) {
    if (!(error instanceof PathEscapeError)) throw error;
    throw new ScaffolderInputError(
      `${label}: skeleton entry "${entry.path}" renders to "${shown}", which is outside the workspace. ` +
        `Check the values it uses (a value containing "../", say). ${error.message}`,
    );
  }
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
