/** The Backstage entity envelope, as read from descriptor YAML (backstage.io/v1alpha1 and friends). */
export interface EntityLink {
  url: string;
  title?: string;
  icon?: string;
  type?: string;
}

export interface EntityMetadata {
  name: string;
  namespace?: string;
  title?: string;
  description?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  tags?: string[];
  links?: EntityLink[];
  [key: string]: unknown;
}

export interface EntityRelation {
  /** e.g. "ownedBy", "dependsOn". */
  type: string;
  /** Canonical lower-case ref of the other end: "group:default/team-payments". */
  targetRef: string;
}

export interface Entity {
  apiVersion: string;
  kind: string;
  metadata: EntityMetadata;
  spec?: Record<string, unknown>;
  relations?: EntityRelation[];
}

/** Where an entity came from: the descriptor file and the line its document starts on. */
export interface SourcePosition {
  /** `file:/abs/path` or `url:https://...` */
  location: string;
  line: number;
}

/** A validated entity ready to store: ref, where it came from, relations it emits, and a content hash. */
export interface ProcessedEntity {
  ref: string;
  entity: Entity;
  source: SourcePosition;
  /** Relations emitted by this entity, in both directions: [sourceRef, type, targetRef]. */
  relations: RelationEdge[];
  /** sha256 of the entity's canonical JSON, to skip rewriting unchanged entities. */
  hash: string;
}

export interface RelationEdge {
  source: string;
  type: string;
  target: string;
}

/** A problem found while reading or validating, named so a person can fix it. */
export interface CatalogProblem {
  location: string;
  line?: number;
  /** The entity ref, when the problem belongs to one entity. */
  ref?: string;
  /** Dotted path of the field, e.g. "spec.owner". */
  field?: string;
  message: string;
  /** "note": worth knowing, nothing to fix (an optional Location target skipped). Absent: a problem. */
  severity?: "note";
}

/** Annotations the reader adds to every entity: the file it came from and the root location it was reached from. */
export const ANNOTATION_LOCATION = "backstage.io/managed-by-location";
export const ANNOTATION_ORIGIN_LOCATION = "backstage.io/managed-by-origin-location";
