import { chmod, copyFile, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { renderTemplate, type TemplateOptions } from "../../template-language/index.ts";
import { isBinary } from "../../workspace/binary.ts";
import { resolveInsideReal } from "../../workspace/safe-path.ts";
import { ScaffolderInputError, type ActionContext, type ScaffolderAction } from "../action.ts";
import { isThere } from "./fetch-plain.ts";
import { checkSize, DEFAULT_SKELETON_LIMITS, resolveFetchUrl, type SkeletonLimits } from "./skeleton.ts";

interface FileInput {
  url: string;
  targetPath: string;
  values?: Record<string, unknown>;
  cookiecutterCompat?: boolean;
  replace?: boolean;
  trimBlocks?: boolean;
  lstripBlocks?: boolean;
  token?: string;
}

const schema = (rendered: boolean) => ({
  type: "object",
  required: ["url", "targetPath"],
  properties: {
    url: { type: "string", description: "Path of the file, relative to the template's folder." },
    targetPath: { type: "string", description: "Where in the workspace to write it, file name included." },
    ...(rendered
      ? {
          values: { type: "object", description: "Values the file reads as `values.<name>`." },
          cookiecutterCompat: { type: "boolean" },
          replace: { type: "boolean", description: "Overwrite the file if it is already there." },
          trimBlocks: { type: "boolean" },
          lstripBlocks: { type: "boolean" },
        }
      : {}),
    token: { type: "string" },
  },
});

/** `fetch:plain:file`: copies one file from the template's folder into the workspace. */
export function fetchPlainFileAction(options: { limits?: SkeletonLimits } = {}): ScaffolderAction<FileInput> {
  return {
    id: "fetch:plain:file",
    description: "Copies one file from the template's folder into the workspace.",
    schema: { input: schema(false) },
    supportsDryRun: true,
    handler: (ctx) => copyOne(ctx, options, undefined),
  };
}

/** `fetch:template:file`: renders one file from the template's folder into the workspace. */
export function fetchTemplateFileAction(
  options: { limits?: SkeletonLimits; language?: Pick<TemplateOptions, "filters" | "globals"> } = {},
): ScaffolderAction<FileInput> {
  return {
    id: "fetch:template:file",
    description:
      "Renders one file from the template's folder with `values` and writes it into the workspace.",
    schema: { input: schema(true) },
    supportsDryRun: true,
    handler: (ctx) => copyOne(ctx, options, options.language ?? {}),
  };
}

async function copyOne(
  ctx: ActionContext<FileInput>,
  options: { limits?: SkeletonLimits },
  language: Pick<TemplateOptions, "filters" | "globals"> | undefined,
): Promise<void> {
  const label = language ? "fetch:template:file" : "fetch:plain:file";
  const source = await resolveFetchUrl(ctx, ctx.input.url);
  const target = await resolveInsideReal(ctx.workspacePath, ctx.input.targetPath, "targetPath");
  const stats = await stat(source).catch(() => undefined);
  if (!stats?.isFile())
    throw new ScaffolderInputError(`${label}: ${ctx.input.url} is not a file in the template's folder.`);
  checkSize(stats.size, ctx.input.url, options.limits ?? DEFAULT_SKELETON_LIMITS, label);
  if (language && !ctx.input.replace && (await isThere(target))) {
    ctx.logger.info(`File ${ctx.input.targetPath} already exists in the workspace, not replacing it.`);
    return;
  }
  await mkdir(dirname(target), { recursive: true });
  const bytes = await readFile(source);
  if (!language || isBinary(bytes)) {
    await copyFile(source, target);
  } else {
    const values = ctx.input.values ?? {};
    const text = renderTemplate(
      bytes.toString("utf8"),
      { [ctx.input.cookiecutterCompat ? "cookiecutter" : "values"]: values },
      {
        ...language,
        file: ctx.input.url,
        cookiecutterCompat: ctx.input.cookiecutterCompat === true,
        trimBlocks: ctx.input.trimBlocks === true,
        lstripBlocks: ctx.input.lstripBlocks === true,
      },
    );
    await writeFile(target, text);
  }
  await chmod(target, stats.mode & 0o777);
  ctx.logger.info(`Wrote ${ctx.input.targetPath}.`);
}
