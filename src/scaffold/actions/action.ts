/**
 * The contract of a scaffolder action, the same shape as Backstage's `createTemplateAction`: an id,
 * input and output JSON Schema (checked before and after the handler runs), whether it can run in a dry
 * run, and a handler that works inside the task's workspace.
 */
import type { Entity } from "../../catalog/model/entity.ts";

export type JsonObject = Record<string, unknown>;
/** A JSON Schema (draft-07) object. */
export type JsonSchema = Record<string, unknown>;

/** A step's log. Everything written here has the task's secrets replaced by `***` before anyone sees it. */
export interface ActionLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

export interface CheckpointOptions<T> {
  /** Unique within the step. A retried task finds the value kept under this key and does not run `fn`. */
  key: string;
  fn: () => Promise<T> | T;
}

export interface ActionContext<I = JsonObject> {
  /** The step's rendered input, valid against the action's input schema. */
  input: I;
  /** The task's working folder; every path an action writes must stay inside it. */
  workspacePath: string;
  logger: ActionLogger;
  /** Aborted when the task is cancelled or the step runs past its time limit. */
  signal: AbortSignal;
  isDryRun: boolean;
  /** Set one output value; in an `each` step every iteration's values are gathered into arrays. */
  output(name: string, value: unknown): void;
  /** Run `fn` once for this task: a retry reuses the kept result (side effects such as creating a repository). */
  checkpoint<T>(options: CheckpointOptions<T>): Promise<T>;
  /** A folder removed when the step ends. */
  createTemporaryDirectory(): Promise<string>;
  templateInfo: TemplateInfo;
  user: { entity?: Entity; ref?: string };
  /** The task's secrets, for actions that need a token. Never log them. */
  secrets: Record<string, string>;
  task: { id: string };
  step: { id: string; name?: string };
}

export interface TemplateInfo {
  /** The Template entity's ref, when it came from the catalog. */
  entityRef?: string;
  /** The folder holding template.yaml: relative fetch URLs resolve against it and may not leave it. */
  baseDir: string;
  /** Where the template was read from: `file:/abs/template.yaml`. */
  location: string;
}

export interface ActionExample {
  description: string;
  /** A YAML snippet of steps using the action. */
  example: string;
}

export interface ScaffolderAction<I = JsonObject> {
  /** e.g. "fetch:template". */
  id: string;
  description: string;
  schema?: { input?: JsonSchema; output?: JsonSchema };
  examples?: ActionExample[];
  /** Run in a dry run too. Actions without it are skipped there, with example outputs from their output schema. */
  supportsDryRun?: boolean;
  handler(ctx: ActionContext<I>): Promise<void>;
}

/** A failure an author or a person can fix: shown as it is, without a stack. */
export class ScaffolderInputError extends Error {
  override name = "ScaffolderInputError";
}
