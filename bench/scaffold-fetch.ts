/**
 * The 500-file figure of bench:scaffold through the engine: fetch:template reads a skeleton from a template
 * folder on disk, renders every path and file, and writes the results into a workspace, exactly as a task
 * does. Only the action is timed: writing the skeletons and removing the workspaces are not.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import pino from "pino";
import type { ActionContext } from "../src/scaffold/actions/action.ts";
import {
  fetchTemplateAction,
  type FetchTemplateInput,
} from "../src/scaffold/actions/fetch/fetch-template.ts";
import { scaffolderFilters } from "../src/scaffold/scm-hosts.ts";
import { buildSkeleton, SKELETON_CONTEXT, type SkeletonFile } from "./scaffold-skeleton.ts";

const silent = pino({ level: "silent" });

/** Writes a skeleton under `<root>/skeleton`, as a template folder holds it. */
export async function writeSkeleton(root: string, files: SkeletonFile[]): Promise<void> {
  await rm(join(root, "skeleton"), { recursive: true, force: true });
  for (const file of files) {
    const full = join(root, "skeleton", file.path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, file.contents);
  }
}

/** One fetch:template run into a new, empty workspace; returns its time in ms. */
export async function fetchOnce(root: string, workspace: string): Promise<number> {
  await mkdir(workspace, { recursive: true });
  const action = fetchTemplateAction({ language: { filters: scaffolderFilters() } });
  const ctx: ActionContext<FetchTemplateInput> = {
    input: { url: "./skeleton", values: SKELETON_CONTEXT.values },
    workspacePath: workspace,
    logger: {
      info: (m) => silent.info(m),
      warn: (m) => silent.warn(m),
      error: (m) => silent.error(m),
      debug: () => {},
    },
    signal: new AbortController().signal,
    isDryRun: false,
    output: () => {},
    checkpoint: async ({ fn }) => fn(),
    createTemporaryDirectory: () => mkdtemp(join(tmpdir(), "cb-bench-")),
    templateInfo: { baseDir: root, location: `file:${join(root, "template.yaml")}` },
    user: {},
    secrets: {},
    task: { id: "bench" },
    step: { id: "fetch" },
  };
  const started = performance.now();
  await action.handler(ctx);
  return performance.now() - started;
}

let variant = 1000;

/**
 * Times fetch:template on `count` files, `runs` times. Cold: a skeleton never seen before each run (new to
 * the compile cache); cached: the same skeleton again, as a second task from one template. As on a real
 * server, the skeletons are on disk before the runs start and each run writes into a new workspace;
 * everything is removed after the last run, outside the timing.
 */
export async function measureFetchTemplate(count: number, runs: number, cold: boolean): Promise<number[]> {
  const root = await mkdtemp(join(tmpdir(), "cb-bench-template-"));
  try {
    const templates: string[] = [];
    for (let i = 0; i < (cold ? runs : 1); i++) {
      const dir = join(root, `template-${i}`);
      await writeSkeleton(dir, buildSkeleton(count, cold ? ++variant : 0));
      templates.push(dir);
    }
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      times.push(await fetchOnce(templates[cold ? i : 0]!, join(root, `workspace-${i}`)));
    }
    return times;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
