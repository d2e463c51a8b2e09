import { resolve } from "node:path";
import type { Entity } from "../catalog/model/entity.ts";
import { ANNOTATION_LOCATION } from "../catalog/model/entity.ts";
import { parseEntityRef, stringifyEntityRef } from "../catalog/model/ref.ts";
import { ScaffolderInputError, type ScaffolderAction } from "./actions/action.ts";
import type { CatalogPort } from "./actions/catalog.ts";
import { InstalledActions } from "./actions/installed-actions.ts";
import { checkParameters, type ParameterCheck } from "./parameters/check-parameters.ts";
import { parameterPages } from "./parameters/parameter-pages.ts";
import { splitSecretValues } from "./parameters/secret-values.ts";
import type { LogLine } from "./runner/task-log.ts";
import type { TaskStateStore } from "./runner/task-state.ts";
import { runTemplate, type RunOptions, type TaskReport } from "./runner/workflow-runner.ts";
import { scaffolderFilters } from "./scm-hosts.ts";
import { checkTemplate, loadTemplateFile, locationToPath } from "./template/load-template.ts";
import type { LoadedTemplate } from "./template/template-spec.ts";
import type { TrustedLocations } from "./template/trusted-locations.ts";

/** What the scaffolder needs from the catalog: the catalog actions' port, and the Template entities. */
export interface ScaffolderCatalog extends CatalogPort {
  templates(): Array<{ ref: string; entity: Entity }>;
  /** A User's groups and the groups above them, for who may run a template. */
  groupsOf?(userRef: string): string[];
}

/** A template as `scaffold templates` lists it. */
export interface TemplateListing {
  ref: string;
  name: string;
  title: string;
  description?: string;
  tags: string[];
  /** Where its file is (`file:/…` or a URL). */
  location?: string;
  runnable: boolean;
  /** Why it may not run, in words. */
  reason?: string;
}

export interface ScaffolderOptions {
  catalog: ScaffolderCatalog;
  /** The actions steps may use; read on every run so plugins registered later are seen. */
  actions: () => Iterable<ScaffolderAction> | ReadonlyMap<string, ScaffolderAction>;
  trusted: TrustedLocations;
  /** The data folder: workspaces are made in `<dataDir>/workspaces`. */
  dataDir: string;
  stepTimeoutMs?: number;
  state?: TaskStateStore;
}

export interface RunRequest {
  values: Record<string, unknown>;
  /** Secrets given besides the form's Secret fields (e.g. a token for an action). */
  secrets?: Record<string, string>;
  user?: { entity?: Entity; ref?: string };
  dryRun?: boolean;
  onLog?: (line: LogLine) => void;
  signal?: AbortSignal;
}

/** The values did not pass the template's parameter schema: nothing ran. */
export interface RejectedValues {
  status: "invalid";
  check: ParameterCheck;
}

/**
 * The scaffolder as the rest of Callboard uses it: lists the catalog's templates (runnable only from trusted
 * locations), loads one, checks values against its parameters, and runs it.
 */
export class Scaffolder {
  constructor(private readonly options: ScaffolderOptions) {}

  listTemplates(): TemplateListing[] {
    return this.options.catalog
      .templates()
      .map(({ ref, entity }) => {
        const location = entity.metadata.annotations?.[ANNOTATION_LOCATION];
        const reason = location ? this.options.trusted.whyNot(location) : "its location is not known";
        return {
          ref,
          name: entity.metadata.name,
          title: entity.metadata.title ?? entity.metadata.name,
          ...(entity.metadata.description ? { description: entity.metadata.description } : {}),
          tags: entity.metadata.tags ?? [],
          ...(location ? { location } : {}),
          runnable: reason === undefined,
          ...(reason
            ? { reason: `Not runnable: ${reason} Templates are code, so only trusted locations run.` }
            : {}),
        };
      })
      .sort((a, b) => a.title.localeCompare(b.title));
  }

  /** A catalog template by name or ref; refused unless it comes from a trusted location. */
  async catalogTemplate(nameOrRef: string): Promise<LoadedTemplate> {
    const wanted = nameOrRef.trim().toLowerCase();
    let ref: string | undefined;
    try {
      ref = stringifyEntityRef(parseEntityRef(wanted, { defaultKind: "template" }));
    } catch {
      ref = undefined;
    }
    const listing = this.listTemplates().find((t) => t.ref === ref || t.name.toLowerCase() === wanted);
    if (!listing) {
      const known = this.listTemplates().map((t) => t.name);
      throw new ScaffolderInputError(
        `No template named "${nameOrRef}" in the catalog.${known.length > 0 ? ` Templates: ${known.join(", ")}.` : ""}`,
      );
    }
    if (!listing.runnable) throw new ScaffolderInputError(`Template ${listing.ref}: ${listing.reason}`);
    const location = listing.location!;
    if (location.startsWith("file:")) return loadTemplateFile(locationToPath(location));
    const entity = this.options.catalog.templates().find((t) => t.ref === listing.ref)!.entity;
    return checkTemplate(entity as unknown as Record<string, unknown>, location);
  }

  /** A template file an operator chose (the CLI): not subject to the trusted locations. */
  templateFile(path: string): Promise<LoadedTemplate> {
    return loadTemplateFile(path);
  }

  check(template: LoadedTemplate, values: Record<string, unknown>): ParameterCheck {
    return checkParameters(parameterPages(template.entity.spec), values, {
      catalog: { exists: (ref) => this.options.catalog.getEntity(ref) !== undefined },
    });
  }

  async run(template: LoadedTemplate, request: RunRequest): Promise<TaskReport | RejectedValues> {
    const check = this.check(template, request.values);
    if (check.problems.length > 0) return { status: "invalid", check };
    const split = splitSecretValues(parameterPages(template.entity.spec), check.values);
    return runTemplate({
      ...this.runEnvironment(),
      template,
      parameters: split.parameters,
      secrets: { ...request.secrets, ...split.secrets },
      redact: split.redact,
      ...(request.user ? { user: request.user } : {}),
      dryRun: request.dryRun === true,
      ...(this.options.state ? { state: this.options.state } : {}),
      ...(request.onLog ? { onLog: request.onLog } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    });
  }

  /** What every run shares: the installed actions, where workspaces go, the step time limit, the filters. */
  runEnvironment(): Pick<RunOptions, "actions" | "workspaceRoot" | "stepTimeoutMs" | "extensions"> {
    return {
      actions: new InstalledActions(this.options.actions()),
      workspaceRoot: resolve(this.options.dataDir, "workspaces"),
      ...(this.options.stepTimeoutMs ? { stepTimeoutMs: this.options.stepTimeoutMs } : {}),
      extensions: { filters: scaffolderFilters() },
    };
  }

  /** A catalog entity: the person a task runs for, for `${{ user.entity }}`. */
  entity(ref: string): Entity | undefined {
    return this.options.catalog.getEntity(ref);
  }

  /** A User's groups (and the groups above them), for who may run a template. */
  groupsOf(userRef: string): string[] {
    return this.options.catalog.groupsOf?.(userRef) ?? [];
  }
}

/** Where the local publisher keeps repositories, under the data folder. */
export function repositoriesRoot(dataDir: string): string {
  return resolve(dataDir, "repositories");
}
