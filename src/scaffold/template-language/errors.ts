/** Where in a template something went wrong; line and column are 1-based. */
export interface TemplatePosition {
  file?: string;
  line: number;
  column: number;
}

function where(position: TemplatePosition): string {
  return `${position.file ?? "template"}:${position.line}:${position.column}`;
}

/** The template text does not parse: the message says where and what was expected there. */
export class TemplateSyntaxError extends Error {
  readonly file?: string;
  readonly line: number;
  readonly column: number;
  /** The bare description, without the location prefix. */
  readonly reason: string;

  constructor(reason: string, position: TemplatePosition) {
    super(`${where(position)}: ${reason}`);
    this.name = "TemplateSyntaxError";
    this.file = position.file;
    this.line = position.line;
    this.column = position.column;
    this.reason = reason;
  }
}

/** The template parsed but failed while rendering, e.g. an unknown filter or calling something that is not a function. */
export class TemplateRenderError extends Error {
  readonly file?: string;
  readonly line: number;
  readonly column: number;
  readonly reason: string;

  constructor(reason: string, position: TemplatePosition, options?: { cause?: unknown }) {
    super(`${where(position)}: ${reason}`, options);
    this.name = "TemplateRenderError";
    this.file = position.file;
    this.line = position.line;
    this.column = position.column;
    this.reason = reason;
  }
}

/** A render went past one of its caps (loop iterations, output size); raised so a template can never hang or exhaust memory. */
export class TemplateLimitError extends TemplateRenderError {
  constructor(reason: string, position: TemplatePosition) {
    super(reason, position);
    this.name = "TemplateLimitError";
  }
}

/**
 * Thrown by runtime helpers that do not know the position; the renderer turns it into a TemplateRenderError
 * at the statement being run.
 */
export class RuntimeFault extends Error {
  constructor(
    message: string,
    readonly limit = false,
  ) {
    super(message);
    this.name = "RuntimeFault";
  }
}
