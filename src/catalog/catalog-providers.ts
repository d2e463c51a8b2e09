/**
 * Catalog providers: sources of locations besides the files and URLs a person imports. The configured
 * catalog (CALLBOARD_CATALOG, imported at start, then every stored file and URL location read again on the
 * refresh schedule) is the built-in one; GitHub discovery is the next: it lists repositories, reads each
 * one's catalog file through a reader of its own, and imports each as a location. Every provider's
 * locations go through the same ingestion (CatalogService.importLocation) and the same problem reports.
 */
import type { Logger } from "pino";
import type { JobContext, LongJob } from "../plugins/jobs.ts";
import { scheduleInterval } from "../plugins/jobs.ts";
import { isProviderKey, type ImportReport, type LocationReader } from "./catalog-service.ts";
import { formatImportSummary } from "./import-summary.ts";

/** A location a provider holds, and how to read it. */
export interface ProvidedLocation {
  /**
   * The location's key: in the provider's own scheme (`github:acme/payments`), read with `read`; or a file or
   * URL target, read as any import is when `read` is absent.
   */
  target: string;
  /** The provider's reader: authenticated fetches, `$text` and Location targets confined to that repository. */
  read?: LocationReader;
}

export interface CatalogProviderContext {
  /** Aborted at shutdown: stop between locations. */
  signal: AbortSignal;
  log: Logger;
}

/** Given to a provider once it runs, to import or forget a location out of schedule (a push webhook). */
export interface CatalogImports {
  /** Import one location now, as a refresh would, and report what changed and every problem. */
  importLocation(location: ProvidedLocation): Promise<ImportReport>;
  /** Forget a location and everything it produced (a repository deleted or archived). */
  removeLocation(target: string): Promise<void>;
}

export interface CatalogProvider {
  id: string;
  /** Seconds between refreshes; 0 for none (it imports only at start-up, or when told through `attach`). */
  refreshSeconds: number;
  /** Refresh once as soon as Callboard serves, rather than one interval later (GitHub discovery). */
  refreshAtStart?: boolean;
  /** Locations imported before Callboard answers anyone: start-up waits for them, so keep them few and local. */
  startUp?(ctx: CatalogProviderContext): Promise<ProvidedLocation[]> | ProvidedLocation[];
  /** The locations it holds now, listed at every refresh. */
  locations(ctx: CatalogProviderContext): Promise<ProvidedLocation[]> | ProvidedLocation[];
  /**
   * Whether a stored location is this provider's (`github:` keys). After a refresh that read every location it
   * listed, its stored locations it no longer lists are removed. Without it the provider removes nothing.
   */
  owns?(key: string): boolean;
  /** Called once, when the catalog first runs the provider. */
  attach?(imports: CatalogImports): void;
}

export interface CatalogProvidersDeps {
  /** Every provider registered (read when they run, so plugins registered later are included). */
  providers: () => Iterable<CatalogProvider>;
  /** The audited import (the composition root records who imported what). */
  importLocation(target: string, actor: string, read?: LocationReader): Promise<ImportReport>;
  removeLocation(target: string, actor: string): Promise<unknown>;
  /** Stored locations' keys. */
  locations(): Promise<Array<{ key: string }>>;
  log: Logger;
}

/** Runs every catalog provider: its start-up locations, then its refresh schedule as one job. */
export class CatalogProviders {
  private readonly attached = new Set<CatalogProvider>();

  constructor(private readonly deps: CatalogProvidersDeps) {}

  /**
   * Import every provider's start-up locations, in the order they registered. Call once the search index was
   * checked, so these imports update it rather than a rebuild redoing them. A failure stops start-up.
   */
  async startUp(signal: AbortSignal = new AbortController().signal): Promise<ImportReport[]> {
    const reports: ImportReport[] = [];
    for (const provider of this.deps.providers()) {
      this.attach(provider);
      const log = this.deps.log.child({ provider: provider.id });
      for (const location of (await provider.startUp?.({ signal, log })) ?? []) {
        reports.push(await this.deps.importLocation(location.target, "startup", location.read));
      }
    }
    return reports;
  }

  /** The job that keeps every provider's schedule while Callboard serves. */
  job(): LongJob {
    let stops: Array<() => Promise<void>> = [];
    return {
      id: "catalog-providers",
      start: (ctx: JobContext) => {
        stops = [...this.deps.providers()].map((provider) => {
          this.attach(provider);
          const log = ctx.log.child({ provider: provider.id });
          return scheduleInterval(
            {
              id: provider.id,
              intervalSeconds: provider.refreshSeconds,
              runAtStart: provider.refreshAtStart ?? false,
              run: (run) => this.refresh(provider, run),
            },
            { ...ctx, log },
          );
        });
      },
      stop: async () => {
        await Promise.all(stops.map((stop) => stop()));
      },
    };
  }

  /**
   * One refresh: import every location the provider lists (a summary line for each that changed or has
   * problems), then, when it read them all and says which keys are its own, remove those it no longer lists.
   * Stops between locations once the signal is aborted; a failure is logged, never thrown.
   */
  async refresh(provider: CatalogProvider, ctx: CatalogProviderContext): Promise<void> {
    const { log, signal } = ctx;
    try {
      const listed = await provider.locations(ctx);
      const keys = new Set<string>();
      for (const location of listed) {
        if (signal.aborted) return;
        const report = await this.deps.importLocation(location.target, "refresh", location.read);
        keys.add(report.locationKey);
        if (
          report.added.length + report.updated.length + report.removed.length + report.problems.length >
          0
        ) {
          log.info(formatImportSummary(report, { brief: true }));
        }
      }
      if (!provider.owns) return;
      for (const stored of await this.deps.locations()) {
        if (signal.aborted) return;
        if (provider.owns(stored.key) && !keys.has(stored.key)) {
          await this.deps.removeLocation(stored.key, "refresh");
          log.info(`Removed ${stored.key}: ${provider.id} no longer lists it.`);
        }
      }
    } catch (error) {
      // The error says whether anything was stored (a failed store writes nothing; see catalog-service.ts).
      log.error({ err: error }, "catalog refresh failed");
    }
  }

  private attach(provider: CatalogProvider): void {
    if (this.attached.has(provider)) return;
    this.attached.add(provider);
    const actor = `provider:${provider.id}`;
    provider.attach?.({
      importLocation: (location) => this.deps.importLocation(location.target, actor, location.read),
      removeLocation: async (target) => {
        await this.deps.removeLocation(target, actor);
      },
    });
  }
}

/**
 * The built-in provider: the configured location (or, when none is configured and nothing is stored, the
 * example organisation) imported at start, and every stored file and URL location read again each
 * `refreshSeconds`. Other providers' locations (`github:`) are theirs to refresh.
 */
export function configuredCatalog(options: {
  target?: string | undefined;
  example: string;
  refreshSeconds: number;
  locations(): Promise<Array<{ key: string }>>;
  /**
   * The reader for a stored URL that a plain read cannot use (a GitHub file page the scaffolder registered),
   * so the refresh reads it the way it was first read; undefined keeps the plain reader.
   */
  readerFor?: (key: string) => LocationReader | undefined;
}): CatalogProvider {
  return {
    id: "configured",
    refreshSeconds: options.refreshSeconds,
    async startUp() {
      if (options.target) return [{ target: options.target }];
      return (await options.locations()).length === 0 ? [{ target: options.example }] : [];
    },
    async locations() {
      return (await options.locations())
        .filter((location) => !isProviderKey(location.key))
        .map((location) => {
          const read = options.readerFor?.(location.key);
          return read ? { target: location.key, read } : { target: location.key };
        });
    },
  };
}
