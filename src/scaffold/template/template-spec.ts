/** The parts of a `scaffolder.backstage.io/v1beta3` Template this runner reads, as Backstage's TaskSpec. */
import type { EntityMetadata } from "../../catalog/model/entity.ts";
import type { JsonObject, JsonSchema } from "../actions/action.ts";

export const TEMPLATE_API_VERSION = "scaffolder.backstage.io/v1beta3";

export interface TemplateStep {
  id: string;
  name: string;
  action: string;
  input?: JsonObject;
  if?: string | boolean;
  each?: string | unknown[] | JsonObject;
  "backstage:permissions"?: { tags?: string[] };
}

export interface OutputLink {
  if?: string | boolean;
  url?: string;
  entityRef?: string;
  title?: string;
  icon?: string;
}

export interface OutputText {
  if?: string | boolean;
  title?: string;
  icon?: string;
  content?: string;
  default?: boolean;
}

export interface TemplateOutput {
  links?: OutputLink[];
  text?: OutputText[];
  [key: string]: unknown;
}

export interface TemplateSpec {
  type: string;
  owner?: string;
  lifecycle?: string;
  parameters?: JsonSchema | JsonSchema[];
  secrets?: { schema?: JsonSchema };
  presentation?: {
    buttonLabels?: { backButtonText?: string; createButtonText?: string; reviewButtonText?: string };
  };
  steps: TemplateStep[];
  output?: TemplateOutput;
  EXPERIMENTAL_recovery?: { EXPERIMENTAL_strategy?: "none" | "startOver" };
}

export interface TemplateEntity {
  apiVersion: typeof TEMPLATE_API_VERSION;
  kind: "Template";
  metadata: EntityMetadata;
  spec: TemplateSpec;
}

/** A template ready to run: the entity, where it came from, and the folder its relative URLs resolve in. */
export interface LoadedTemplate {
  entity: TemplateEntity;
  /** `template:<namespace>/<name>`, lower-cased. */
  ref: string;
  /** `file:/abs/path/template.yaml`. */
  location: string;
  /** The folder holding the template file. */
  baseDir: string;
  /** The line a field of the template's document is on, e.g. ["spec", "steps", 0, "input"]; for messages. */
  lineOf?: (path: Array<string | number>) => number;
}
