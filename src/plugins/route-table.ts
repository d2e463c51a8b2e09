/**
 * The HTTP server's routing: path patterns compiled once, refused at start-up when two of them (one method)
 * could answer the same path, and matched with their parameters. Refusing overlaps rather than ranking them
 * keeps a plugin from silently taking another's requests, whichever registered first.
 */
import type { HttpMethod, HttpRoute } from "./http.ts";

/** A route and who contributed it ("plugin docs", "adapter slack"), for the conflict message. */
export interface OwnedRoute {
  route: HttpRoute;
  owner: string;
}

export interface RouteMatch {
  route: HttpRoute;
  params: Record<string, string>;
}

type Segment = { literal: string } | { param: string };

interface Compiled {
  route: HttpRoute;
  owner: string;
  method: HttpMethod;
  segments: Segment[];
  /** Ends in `*`: the rest of the path, possibly empty, after the segments and a slash. */
  rest: boolean;
}

export class RouteConflictError extends Error {}

export class RouteTable {
  private readonly compiled: Compiled[] = [];

  /** Throws RouteConflictError naming both owners when a route overlaps one already in the table. */
  constructor(routes: Iterable<OwnedRoute> = []) {
    for (const owned of routes) this.add(owned);
  }

  add({ route, owner }: OwnedRoute): void {
    const next = compile(route, owner);
    const clash = this.compiled.find((c) => overlaps(c, next));
    if (clash) {
      throw new RouteConflictError(
        `HTTP routes ${clash.method} ${clash.route.path} (${clash.owner}) and ${next.method} ${route.path} ` +
          `(${owner}) can both answer the same path. Give one of them another path.`,
      );
    }
    this.compiled.push(next);
  }

  /** Whether a route with exactly this method and pattern is in the table. */
  has(method: HttpMethod, path: string): boolean {
    return this.compiled.some((c) => c.method === method && c.route.path === path);
  }

  /** The route for a request path (no query string), with its parameters decoded; throws URIError on a bad escape. */
  match(method: string, path: string): RouteMatch | undefined {
    const parts = path.slice(1).split("/");
    for (const candidate of this.compiled) {
      if (candidate.method !== method) continue;
      const params = matchPath(candidate, parts);
      if (params) return { route: candidate.route, params };
    }
    return undefined;
  }
}

function compile(route: HttpRoute, owner: string): Compiled {
  const fail = (why: string) => new Error(`HTTP route ${route.method} ${route.path} (${owner}): ${why}`);
  if (!route.path.startsWith("/")) throw fail('a path starts with "/"');
  const parts = route.path.slice(1).split("/");
  const rest = parts.at(-1) === "*";
  if (rest) parts.pop();
  const names = new Set<string>();
  const segments = parts.map((part): Segment => {
    if (part.includes("*")) throw fail('"*" stands alone, as the last segment');
    if (!part.startsWith(":")) return { literal: part };
    const name = part.slice(1);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw fail(`parameter "${part}" needs a name of letters, digits and _`);
    if (names.has(name)) throw fail(`parameter :${name} appears twice`);
    names.add(name);
    return { param: name };
  });
  return { route, owner, method: route.method, segments, rest };
}

function matchPath(route: Compiled, parts: string[]): Record<string, string> | undefined {
  const fixed = route.segments.length;
  if (route.rest ? parts.length < fixed + 1 : parts.length !== fixed) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < fixed; i++) {
    const segment = route.segments[i]!;
    const part = parts[i]!;
    if ("literal" in segment) {
      if (segment.literal !== part) return undefined;
    } else {
      if (part === "") return undefined;
      params[segment.param] = decodeURIComponent(part);
    }
  }
  if (route.rest) params["*"] = decodeURIComponent(parts.slice(fixed).join("/"));
  return params;
}

/** Whether one path exists that both segments match: a parameter matches any non-empty segment. */
function compatible(a: Segment, b: Segment): boolean {
  if ("literal" in a && "literal" in b) return a.literal === b.literal;
  const literal = "literal" in a ? a : "literal" in b ? b : undefined;
  return literal === undefined || literal.literal !== "";
}

/** Whether some path would match both patterns. */
function overlaps(a: Compiled, b: Compiled): boolean {
  if (a.method !== b.method) return false;
  const [short, long] = a.segments.length <= b.segments.length ? [a, b] : [b, a];
  for (let i = 0; i < short.segments.length; i++) {
    if (!compatible(short.segments[i]!, long.segments[i]!)) return false;
  }
  // The shorter pattern's `*` takes whatever the longer one has left, if there is at least a segment of it.
  if (short.rest) return long.rest || long.segments.length > short.segments.length;
  // Without a `*`, the shorter matches paths of exactly its length; the longer needs more, or exactly as many.
  return !long.rest && long.segments.length === short.segments.length;
}
