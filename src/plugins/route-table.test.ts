import { describe, expect, it } from "vitest";
import type { HttpMethod, HttpRoute } from "./http.ts";
import { RouteConflictError, RouteTable } from "./route-table.ts";

const route = (path: string, method: HttpMethod = "GET"): HttpRoute => ({ method, path, handler: () => {} });

/** Whether a table of `a` (owned by one plugin) refuses `b` (owned by another). */
function clash(a: string, b: string, methods: [HttpMethod, HttpMethod] = ["GET", "GET"]): boolean {
  const table = new RouteTable([{ route: route(a, methods[0]), owner: "plugin one" }]);
  try {
    table.add({ route: route(b, methods[1]), owner: "plugin two" });
    return false;
  } catch (error) {
    if (error instanceof RouteConflictError) return true;
    throw error;
  }
}

describe("RouteTable: matching", () => {
  const docs = route("/docs/:namespace/:kind/:name/*");
  const table = new RouteTable([
    { route: docs, owner: "plugin docs" },
    { route: route("/catalog/*"), owner: "plugin catalog" },
    { route: route("/slack/events", "POST"), owner: "adapter slack" },
    { route: route("/"), owner: "plugin home" },
  ]);

  it("gives the path parameters, decoded, and the rest of the path as *", () => {
    expect(table.match("GET", "/docs/default/component/pay%20ments/runbook/rotate.html")).toEqual({
      route: docs,
      params: { namespace: "default", kind: "component", name: "pay ments", "*": "runbook/rotate.html" },
    });
    expect(table.match("GET", "/docs/default/component/payments/")?.params["*"]).toBe("");
  });

  it("needs every segment: a parameter is never empty and * needs the slash before it", () => {
    expect(table.match("GET", "/docs/default/component/payments")).toBeUndefined();
    expect(table.match("GET", "/docs/default//payments/x")).toBeUndefined();
    expect(table.match("GET", "/catalog")).toBeUndefined();
    expect(table.match("GET", "/catalog/")?.params).toEqual({ "*": "" });
  });

  it("matches the method as well as the path, and the root exactly", () => {
    expect(table.match("GET", "/slack/events")).toBeUndefined();
    expect(table.match("POST", "/slack/events")?.params).toEqual({});
    expect(table.match("GET", "/")?.params).toEqual({});
    expect(table.match("GET", "/elsewhere")).toBeUndefined();
  });

  it("throws URIError on a broken escape, which the server answers with 400", () => {
    expect(() => table.match("GET", "/docs/default/component/%E0%A4%A/x")).toThrow(URIError);
  });
});

describe("RouteTable: conflicts", () => {
  it("refuses two patterns one path could match, naming both owners", () => {
    const table = new RouteTable([{ route: route("/docs/:namespace/:kind/:name/*"), owner: "plugin docs" }]);
    expect(() =>
      table.add({ route: route("/docs/default/:kind/:name/index.html"), owner: "plugin wiki" }),
    ).toThrow(
      "HTTP routes GET /docs/:namespace/:kind/:name/* (plugin docs) and GET /docs/default/:kind/:name/index.html (plugin wiki) can both answer the same path",
    );
  });

  it("finds overlaps between literals, parameters and rests", () => {
    expect(clash("/a/b", "/a/b")).toBe(true);
    expect(clash("/a/:x", "/a/b")).toBe(true);
    expect(clash("/a/*", "/a/b/c")).toBe(true);
    expect(clash("/a/*", "/a/:x/*")).toBe(true);
    expect(clash("/*", "/healthz")).toBe(true);
    expect(clash("/:x/b", "/a/:y")).toBe(true);
  });

  it("lets patterns through that no path matches both of", () => {
    expect(clash("/a/b", "/a/c")).toBe(false);
    expect(clash("/a/b", "/a/b", ["GET", "POST"])).toBe(false);
    expect(clash("/a/*", "/a")).toBe(false);
    expect(clash("/a/:x", "/a/:x/:y")).toBe(false);
    expect(clash("/a/:x", "/a/")).toBe(false);
    expect(clash("/a/b/*", "/a/c/*")).toBe(false);
    expect(clash("/a/b/*", "/a/:x")).toBe(false);
  });

  it("refuses patterns it cannot read", () => {
    expect(() => new RouteTable([{ route: route("docs"), owner: "plugin x" }])).toThrow('starts with "/"');
    expect(() => new RouteTable([{ route: route("/a/*/b"), owner: "plugin x" }])).toThrow("last segment");
    expect(() => new RouteTable([{ route: route("/a/:x/:x"), owner: "plugin x" }])).toThrow("appears twice");
  });
});
