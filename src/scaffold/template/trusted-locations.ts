import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import { isInside } from "../workspace/safe-path.ts";
import { locationToPath } from "./load-template.ts";

/**
 * Templates are code: a Template entity from the catalog runs only when its file sits under a trusted
 * location (a folder, or a URL prefix for catalogs read over HTTP). Anyone who can get a descriptor into
 * the catalog could otherwise run steps on the server.
 */
export class TrustedLocations {
  private readonly folders: string[];
  private readonly urls: string[];

  constructor(
    readonly configured: readonly string[],
    cwd = process.cwd(),
  ) {
    this.folders = [];
    this.urls = [];
    for (const entry of configured) {
      const trimmed = entry.trim();
      if (!trimmed) continue;
      if (/^https?:\/\//i.test(trimmed) || /^url:/i.test(trimmed)) {
        const url = trimmed.replace(/^url:/i, "");
        this.urls.push(url.endsWith("/") ? url : `${url}/`);
      } else {
        this.folders.push(real(resolve(cwd, trimmed.replace(/^file:/i, ""))));
      }
    }
  }

  /** Undefined when the location is trusted, otherwise the reason it is not, in words. */
  whyNot(location: string): string | undefined {
    if (/^(url:)?https?:\/\//i.test(location)) {
      const url = location.replace(/^url:/i, "");
      if (this.urls.some((prefix) => url.startsWith(prefix))) return undefined;
      return `${url} is not under a trusted location (${this.describe()}).`;
    }
    const path = real(locationToPath(location));
    if (this.folders.some((folder) => isInside(folder, path))) return undefined;
    return `${path} is not under a trusted location (${this.describe()}).`;
  }

  private describe(): string {
    const all = [...this.folders, ...this.urls];
    return all.length > 0 ? `trusted: ${all.join(", ")}` : "none are configured";
  }
}

/** Symlinks resolved where the path exists, so a link cannot smuggle an untrusted file in. */
function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
