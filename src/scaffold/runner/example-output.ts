import type { JsonSchema } from "../actions/action.ts";

/**
 * An example value for an output schema, as Backstage's dry run gives for actions it skips: the schema's
 * first `examples` entry, else a placeholder of the right type.
 */
export function exampleOutput(schema: unknown, depth = 0): unknown {
  if (!schema || typeof schema !== "object" || depth > 10) return "<unknown>";
  const s = schema as JsonSchema;
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case "object": {
      const properties = (s.properties ?? {}) as Record<string, unknown>;
      return Object.fromEntries(
        Object.entries(properties).map(([key, sub]) => [key, exampleOutput(sub, depth + 1)]),
      );
    }
    case "array": {
      const items = Array.isArray(s.items) ? s.items[0] : s.items;
      return items ? [exampleOutput(items, depth + 1)] : [];
    }
    case "string":
      return "<example>";
    case "number":
    case "integer":
      return 0;
    case "boolean":
      return false;
    default:
      return "<unknown>";
  }
}
