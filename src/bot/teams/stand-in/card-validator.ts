import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import draft06 from "ajv/dist/refs/json-schema-draft-06.json" with { type: "json" };

/**
 * Checks cards against the official Adaptive Card 1.5 JSON Schema (microsoft/AdaptiveCards
 * schemas/1.5.0/adaptive-card.json, copied into test/fixtures/teams/). Used by the tests and by the
 * Bot Connector stand-in, never by the running bot.
 */
const SCHEMA_PATH = fileURLToPath(
  new URL("../../../../test/fixtures/teams/adaptive-card-1.5.schema.json", import.meta.url),
);

let validate: ValidateFunction | undefined;

function compile(): ValidateFunction {
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, "utf8")) as Record<string, unknown>;
  // The file is draft-06 but names itself with the draft-04 "id" keyword, which Ajv 8 refuses.
  schema.$id = schema.id;
  delete schema.id;
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateFormats: false });
  ajv.addMetaSchema(draft06);
  return ajv.compile(schema);
}

/** Messages naming the JSON path of each schema violation; empty when the card is valid. */
export function adaptiveCardErrors(card: unknown): string[] {
  validate ??= compile();
  if (validate(card)) return [];
  return (validate.errors ?? []).map(
    (e: ErrorObject) => `${e.instancePath || "/"} ${e.message ?? e.keyword}`,
  );
}
