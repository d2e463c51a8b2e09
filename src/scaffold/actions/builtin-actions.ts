import type { TemplateOptions } from "../template-language/index.ts";
import { publishLocalAction } from "../publish/local-git.ts";
import { scaffolderFilters } from "../scm-hosts.ts";
import type { ScaffolderAction } from "./action.ts";
import {
  catalogFetchAction,
  catalogRegisterAction,
  catalogWriteAction,
  type CatalogPort,
} from "./catalog.ts";
import { debugLogAction, debugWaitAction } from "./debug.ts";
import { fetchPlainFileAction, fetchTemplateFileAction } from "./fetch/fetch-file.ts";
import { fetchPlainAction } from "./fetch/fetch-plain.ts";
import { fetchTemplateAction } from "./fetch/fetch-template.ts";
import type { SkeletonLimits } from "./fetch/skeleton.ts";
import { fsDeleteAction, fsReadDirAction, fsRenameAction } from "./filesystem.ts";

export interface BuiltinActionOptions {
  catalog: CatalogPort;
  /** Where `publish:local` keeps repositories (and the only folder `catalog:register` reads files from). */
  publishRoot: string;
  limits?: SkeletonLimits;
  language?: Pick<TemplateOptions, "filters" | "globals">;
}

/** The actions every Callboard has, as Backstage's createBuiltinActions, plus the local git publisher. */
export function builtinActions(options: BuiltinActionOptions): ScaffolderAction[] {
  const language = options.language ?? { filters: scaffolderFilters() };
  const fetchOptions = {
    ...(options.limits ? { limits: options.limits } : {}),
    language,
  };
  return [
    fetchTemplateAction(fetchOptions),
    fetchPlainAction(fetchOptions),
    fetchTemplateFileAction(fetchOptions),
    fetchPlainFileAction(fetchOptions),
    debugLogAction(),
    debugWaitAction(),
    fsDeleteAction(),
    fsRenameAction(),
    fsReadDirAction(),
    catalogWriteAction(),
    catalogRegisterAction(options.catalog, { allowedFileRoots: [options.publishRoot] }),
    catalogFetchAction(options.catalog),
    publishLocalAction({ root: options.publishRoot }),
  ] as ScaffolderAction[];
}
