/**
 * Graphviz `dot` fences rendered to SVG in-process by Graphviz compiled to WebAssembly (@viz-js/viz): no
 * binary, no subprocess. The instance is created once (it compiles the module) and renders synchronously.
 */
import { instance } from "@viz-js/viz";

type Viz = Awaited<ReturnType<typeof instance>>;

/** A diagram's source larger than this is shown as code: layout time grows faster than linearly. */
export const MAX_DOT_BYTES = 32 * 1024;

let viz: Promise<Viz> | undefined;

/** Load the WebAssembly module; call before building so rendering stays synchronous. */
export function loadGraphviz(): Promise<Viz> {
  viz ??= instance();
  return viz;
}

export type DotResult = { svg: string } | { error: string };

/** The SVG element for `source`, or the first error Graphviz reported. */
export function renderDot(renderer: Viz, source: string): DotResult {
  if (Buffer.byteLength(source) > MAX_DOT_BYTES) {
    return { error: `the diagram is larger than ${MAX_DOT_BYTES / 1024} KiB; it is shown as code` };
  }
  const result = renderer.render(source, { format: "svg" });
  if (result.status !== "success") {
    const first = result.errors.find((e) => e.level === "error") ?? result.errors[0];
    return { error: first?.message.trim() ?? "Graphviz could not lay it out" };
  }
  // Only the element: the XML declaration, doctype and comments before it are for standalone files.
  const start = result.output.indexOf("<svg");
  return start < 0 ? { error: "Graphviz returned no SVG" } : { svg: result.output.slice(start) };
}
