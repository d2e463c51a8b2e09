import type { ValidateFunction } from "ajv";
import { compileSchema, createAjv, describeErrors } from "../schema/json-schema.ts";
import { ScaffolderInputError, type JsonSchema, type ScaffolderAction } from "./action.ts";

/**
 * Action schemas compiled once for the process, by schema object: every run makes an InstalledActions, and
 * compiling the same schemas again for each queued task cost more CPU than the rest of a small task.
 */
const ajv = createAjv();
const compiled = new WeakMap<object, ValidateFunction>();

/** The actions a run may use, with their input and output schemas compiled once. */
export class InstalledActions {
  private readonly byId: ReadonlyMap<string, ScaffolderAction>;

  constructor(actions: Iterable<ScaffolderAction> | ReadonlyMap<string, ScaffolderAction>) {
    this.byId =
      actions instanceof Map
        ? actions
        : new Map([...(actions as Iterable<ScaffolderAction>)].map((a) => [a.id, a]));
  }

  get(id: string): ScaffolderAction | undefined {
    return this.byId.get(id);
  }

  ids(): string[] {
    return [...this.byId.keys()].sort();
  }

  /** Throws a ScaffolderInputError naming every field of `input` that does not fit the action's schema. */
  checkInput(action: ScaffolderAction, input: unknown, where: string): void {
    this.check(action, action.schema?.input, input, `${where}: the input to ${action.id}`);
  }

  checkOutput(action: ScaffolderAction, output: unknown, where: string): void {
    this.check(action, action.schema?.output, output, `${where}: ${action.id} gave output that`);
  }

  private check(
    action: ScaffolderAction,
    schema: JsonSchema | undefined,
    value: unknown,
    what: string,
  ): void {
    if (!schema) return;
    let validate = compiled.get(schema);
    if (!validate) {
      validate = compileSchema(ajv, schema, `The schema of action ${action.id}`);
      compiled.set(schema, validate);
    }
    if (validate(value)) return;
    const problems = describeErrors(validate.errors, schema, { titles: false });
    throw new ScaffolderInputError(
      `${what} does not fit its schema: ${problems.map((p) => p.message).join(" ")}`,
    );
  }
}
