import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import envelopeSchema from "./schema/envelope.schema.json" with { type: "json" };
import aiResourceSchema from "./schema/ai-resource.schema.json" with { type: "json" };
import aiResourceMarketplaceSchema from "./schema/ai-resource-marketplace.schema.json" with { type: "json" };
import aiResourcePluginSchema from "./schema/ai-resource-plugin.schema.json" with { type: "json" };
import aiResourceRuleSchema from "./schema/ai-resource-rule.schema.json" with { type: "json" };
import aiResourceSkillSchema from "./schema/ai-resource-skill.schema.json" with { type: "json" };
import apiSchema from "./schema/api.schema.json" with { type: "json" };
import apiAiModelServerSchema from "./schema/api-ai-model-server.schema.json" with { type: "json" };
import apiMcpServerSchema from "./schema/api-mcp-server.schema.json" with { type: "json" };
import componentSchema from "./schema/component.schema.json" with { type: "json" };
import domainSchema from "./schema/domain.schema.json" with { type: "json" };
import environmentSchema from "./schema/environment.schema.json" with { type: "json" };
import groupSchema from "./schema/group.schema.json" with { type: "json" };
import locationSchema from "./schema/location.schema.json" with { type: "json" };
import resourceSchema from "./schema/resource.schema.json" with { type: "json" };
import systemSchema from "./schema/system.schema.json" with { type: "json" };
import templateSchema from "./schema/template.schema.json" with { type: "json" };
import userSchema from "./schema/user.schema.json" with { type: "json" };
import { withArticle } from "../../text/grammar.ts";

export interface FieldProblem {
  /** Dotted path of the field, e.g. "spec.owner", "metadata.tags[2]", `metadata.annotations["a/b"]`. */
  field: string;
  message: string;
}

/**
 * The spec schema of each kind Callboard knows, and of the spec types that have their own (as Backstage's
 * catalog model picks a schema by kind, apiVersion and spec.type). The kinds are Backstage's built-in ones,
 * the scaffolder's Template, and AiResource with the API spec types of catalog-backend-module-ai-model.
 */
const KIND_SCHEMAS = {
  API: {
    schema: apiSchema,
    byType: { "mcp-server": apiMcpServerSchema, "ai-model-server": apiAiModelServerSchema },
  },
  AiResource: {
    schema: aiResourceSchema,
    byType: {
      skill: aiResourceSkillSchema,
      rule: aiResourceRuleSchema,
      plugin: aiResourcePluginSchema,
      marketplace: aiResourceMarketplaceSchema,
    },
  },
  Component: { schema: componentSchema },
  Domain: { schema: domainSchema },
  Environment: { schema: environmentSchema },
  Group: { schema: groupSchema },
  Location: { schema: locationSchema },
  Resource: { schema: resourceSchema },
  System: { schema: systemSchema },
  Template: { schema: templateSchema },
  User: { schema: userSchema },
} as const;

export type KnownKind = keyof typeof KIND_SCHEMAS;
export const KNOWN_KINDS = Object.keys(KIND_SCHEMAS).sort() as KnownKind[];

// One Ajv instance and one compiled function per schema, built once at module load: compiling per
// entity would dominate the cost of reading a 100k-entity organisation.
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
// Backstage checks link URLs with `new URL()`, which is looser than RFC 3986 "uri"; match it exactly.
ajv.addFormat("parsable-url", { type: "string", validate: (value: string) => URL.canParse(value) });
// Annotation-only keyword: a sentence explaining a pattern, used to turn regex failures into advice.
ajv.addKeyword({ keyword: "errorHint", schemaType: "string" });

const validateEnvelope = ajv.compile(envelopeSchema);
interface KindValidators {
  validate: ValidateFunction;
  byType: Map<string, ValidateFunction>;
}
const kindValidators = new Map<string, KindValidators>(
  Object.entries(KIND_SCHEMAS).map(([kind, entry]) => [
    kind,
    {
      validate: ajv.compile(entry.schema),
      byType: new Map(
        Object.entries<object>("byType" in entry ? entry.byType : {}).map(([type, schema]) => [
          type,
          ajv.compile(schema),
        ]),
      ),
    },
  ]),
);
const kindsByLowerCase = new Map(KNOWN_KINDS.map((kind) => [kind.toLowerCase(), kind]));

/**
 * Checks an entity against Backstage's envelope rules and its kind's spec schema (the one for its spec.type
 * where the kind has several). Returns every problem found (never throws), so a person can fix a file in one
 * pass. An empty array means valid. A kind Callboard does not know is kept on the envelope rules alone:
 * Backstage installations add kinds of their own. Only a known kind spelt in the wrong case is refused, as
 * that is a typo rather than a kind of its own.
 */
export function validateEntity(entity: unknown): FieldProblem[] {
  if (typeof entity !== "object" || entity === null || Array.isArray(entity)) {
    return [{ field: "", message: `An entity must be a YAML mapping, got ${typeName(entity)}` }];
  }
  const problems: FieldProblem[] = [];
  if (!validateEnvelope(entity)) problems.push(...describeErrors(validateEnvelope.errors));

  const { kind, spec } = entity as { kind?: unknown; spec?: { type?: unknown } };
  if (typeof kind === "string" && kind !== "") {
    const validators = kindValidators.get(kind);
    const type = typeof spec?.type === "string" ? spec.type : undefined;
    const validateKind = validators && ((type && validators.byType.get(type)) || validators.validate);
    if (validateKind) {
      if (!validateKind(entity)) problems.push(...describeErrors(validateKind.errors, kind));
    } else {
      const known = kindsByLowerCase.get(kind.toLowerCase());
      if (known) problems.push({ field: "kind", message: miscasedKindMessage(kind, known) });
    }
  }
  return dedupe(problems);
}

function miscasedKindMessage(kind: string, known: string): string {
  return `Unknown kind "${kind}": kinds are case-sensitive; did you mean "${known}"?`;
}

function describeErrors(errors: ErrorObject[] | null | undefined, kind?: string): FieldProblem[] {
  if (!errors) return [];
  const out: FieldProblem[] = [];
  for (const error of errors) {
    const problem = describeError(error, kind);
    if (problem) out.push(problem);
  }
  return out;
}

function describeError(error: ErrorObject, kind: string | undefined): FieldProblem | undefined {
  const base = pointerToField(error.instancePath);
  const hint = hintOf(error);
  const got = error.data;
  if (error.propertyName !== undefined) {
    const field = join(base, error.propertyName);
    return {
      field,
      message: `${label(base)} key ${JSON.stringify(error.propertyName)} is not valid${hint ? `: ${hint}` : ""}`,
    };
  }
  switch (error.keyword) {
    case "required": {
      const field = join(base, String(error.params.missingProperty));
      return { field, message: `${field} is required${kind ? ` for ${withArticle(kind)}` : ""}` };
    }
    case "type": {
      const expected = String(error.params.type)
        .split(",")
        .map((type) => YAML_TYPE_NAMES[type] ?? type)
        .join(" or ");
      return {
        field: base,
        message: `${label(base)} must be ${expected}, got ${typeName(got)}${hint ? ` (${hint})` : ""}`,
      };
    }
    case "minLength":
      return { field: base, message: `${label(base)} must not be empty` };
    case "maxLength":
      return {
        field: base,
        message: `${label(base)} is ${String(got).length} characters long; at most ${error.params.limit} are allowed`,
      };
    case "pattern":
      return {
        field: base,
        message: `${label(base)} ${JSON.stringify(got)} is not valid${hint ? `: ${hint}` : ""}`,
      };
    case "enum": {
      const allowed = (error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ");
      if (base === "apiVersion") {
        return {
          field: base,
          message: `apiVersion ${JSON.stringify(got)} is not supported for kind ${kind ?? "?"}; use ${allowed}`,
        };
      }
      return {
        field: base,
        message: `${label(base)} is ${JSON.stringify(got)}; it must be one of ${allowed}`,
      };
    }
    case "format":
      return { field: base, message: `${label(base)} ${JSON.stringify(got)} is not a valid URL` };
    case "propertyNames":
      // Reported in detail by the nested pattern error, which carries the offending key.
      return undefined;
    case "if":
      // "must match the then/else schema": the error inside that branch says which field, and how.
      return undefined;
    default:
      return { field: base, message: `${label(base)} ${error.message ?? "is invalid"}` };
  }
}

function hintOf(error: ErrorObject): string | undefined {
  const parent = error.parentSchema as { errorHint?: string } | undefined;
  return parent?.errorHint;
}

/** `/metadata/annotations/backstage.io~1x` → `metadata.annotations["backstage.io/x"]`. */
function pointerToField(pointer: string): string {
  if (pointer === "") return "";
  let field = "";
  for (const raw of pointer.slice(1).split("/")) {
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    field = join(field, segment);
  }
  return field;
}

function join(base: string, segment: string): string {
  if (/^\d+$/.test(segment)) return `${base}[${segment}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(segment)) return base ? `${base}.${segment}` : segment;
  return `${base}[${JSON.stringify(segment)}]`;
}

function label(field: string): string {
  return field === "" ? "The entity" : field;
}

// Authors write YAML, so speak of mappings and lists rather than JSON objects and arrays.
const YAML_TYPE_NAMES: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  boolean: "a boolean",
  number: "a number",
  integer: "an integer",
  null: "null",
};

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

function dedupe(problems: FieldProblem[]): FieldProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.field}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
