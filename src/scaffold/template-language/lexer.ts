import { TemplateSyntaxError } from "./errors.ts";

/**
 * The tokenizer of Backstage's template language. It follows nunjucks 3.2's lexer token for token, because
 * templates written for Backstage depend on its quirks: `}}` closes an expression even inside a dict
 * literal, `#}` outside a comment is an error, `r/.../` starts a regular expression, `null` is `none`,
 * strings know only the escapes \n \t \r (any other escaped character stands for itself), and a number
 * directly followed by `.` is a float.
 */

export type TokenType =
  | "string"
  | "whitespace"
  | "data"
  | "block-start"
  | "block-end"
  | "variable-start"
  | "variable-end"
  | "comment"
  | "left-paren"
  | "right-paren"
  | "left-bracket"
  | "right-bracket"
  | "left-curly"
  | "right-curly"
  | "operator"
  | "comma"
  | "colon"
  | "tilde"
  | "pipe"
  | "int"
  | "float"
  | "boolean"
  | "none"
  | "symbol"
  | "regex";

export interface Token {
  type: TokenType;
  value: string;
  /** Offset in the source where the token starts. */
  index: number;
  /** For regex tokens: the flags. */
  flags?: string;
}

export interface LexerOptions {
  variableStart: string;
  variableEnd: string;
  trimBlocks: boolean;
  lstripBlocks: boolean;
  file?: string;
}

export const BLOCK_START = "{%";
export const BLOCK_END = "%}";
export const COMMENT_START = "{#";
export const COMMENT_END = "#}";

const WHITESPACE = " \n\t\r\u00A0";
const DELIMITERS = "()[]{}%*-+~/#,:|.<>=!";
const TWO_CHAR_OPERATORS = new Set(["==", "!=", "<=", ">=", "//", "**"]);
const THREE_CHAR_OPERATORS = new Set(["===", "!=="]);
const SINGLE_TYPES: Record<string, TokenType> = {
  "(": "left-paren",
  ")": "right-paren",
  "[": "left-bracket",
  "]": "right-bracket",
  "{": "left-curly",
  "}": "right-curly",
  ",": "comma",
  ":": "colon",
  "~": "tilde",
  "|": "pipe",
};
const REGEX_FLAGS = "gimy";

function isWhitespace(char: string): boolean {
  return char !== "" && WHITESPACE.includes(char);
}

function endsSymbol(char: string): boolean {
  return WHITESPACE.includes(char) || DELIMITERS.includes(char);
}

/** Maps source offsets to 1-based lines and columns; the line table is built on the first error that needs it. */
export class LineMap {
  private starts?: number[];

  constructor(private readonly source: string) {}

  position(index: number): { line: number; column: number } {
    if (!this.starts) {
      this.starts = [0];
      for (let i = this.source.indexOf("\n"); i !== -1; i = this.source.indexOf("\n", i + 1))
        this.starts.push(i + 1);
    }
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid]! <= index) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: index - this.starts[low]! + 1 };
  }
}

export class Lexer {
  private index = 0;
  private inCode = false;
  /** Finds the next character that may start a tag or end a comment (`{`, `#`, the expression opener's first). */
  private readonly beginChars: RegExp;
  readonly lines: LineMap;

  constructor(
    readonly source: string,
    readonly options: LexerOptions,
  ) {
    const chars = BLOCK_START[0]! + options.variableStart[0]! + COMMENT_START[0]! + COMMENT_END[0]!;
    this.beginChars = new RegExp(`[${chars.replace(/[\]\\^-]/g, "\\$&")}]`, "g");
    this.lines = new LineMap(source);
  }

  get offset(): number {
    return this.index;
  }

  /** Moves the scanner (used by `{% raw %}`, which reads its body as plain text). */
  seek(index: number): void {
    this.index = index;
  }

  fail(reason: string, index: number): never {
    throw new TemplateSyntaxError(reason, { file: this.options.file, ...this.lines.position(index) });
  }

  private matches(text: string): boolean {
    return this.source.startsWith(text, this.index);
  }

  private column(): number {
    return this.index - (this.source.lastIndexOf("\n", this.index - 1) + 1);
  }

  next(): Token | null {
    return this.inCode ? this.nextCode() : this.nextData();
  }

  private nextCode(): Token | null {
    const start = this.index;
    const source = this.source;
    if (start >= source.length) return null;
    const char = source[start]!;

    if (char === '"' || char === "'") return { type: "string", value: this.readString(char), index: start };

    if (isWhitespace(char)) {
      let end = start + 1;
      while (end < source.length && isWhitespace(source[end]!)) end++;
      this.index = end;
      return { type: "whitespace", value: source.slice(start, end), index: start };
    }

    for (const end of [BLOCK_END, "-" + BLOCK_END]) {
      if (this.matches(end)) {
        this.index += end.length;
        this.inCode = false;
        if (this.options.trimBlocks) {
          if (source[this.index] === "\n") this.index++;
          else if (source[this.index] === "\r" && source[this.index + 1] === "\n") this.index += 2;
        }
        return { type: "block-end", value: end, index: start };
      }
    }
    const variableEnd = this.options.variableEnd;
    for (const end of [variableEnd, "-" + variableEnd]) {
      if (this.matches(end)) {
        this.index += end.length;
        this.inCode = false;
        return { type: "variable-end", value: end, index: start };
      }
    }

    if (char === "r" && source[start + 1] === "/") {
      let i = start + 2;
      let body = "";
      while (i < source.length) {
        if (source[i] === "/" && source[i - 1] !== "\\") {
          i++;
          break;
        }
        body += source[i];
        i++;
      }
      let flags = "";
      while (i < source.length && REGEX_FLAGS.includes(source[i]!)) flags += source[i++];
      this.index = i;
      return { type: "regex", value: body, flags, index: start };
    }

    if (DELIMITERS.includes(char)) {
      let value = char;
      const two = source.slice(start, start + 2);
      if (TWO_CHAR_OPERATORS.has(two)) {
        value = two;
        const three = source.slice(start, start + 3);
        if (THREE_CHAR_OPERATORS.has(three)) value = three;
      }
      this.index = start + value.length;
      return { type: SINGLE_TYPES[value] ?? "operator", value, index: start };
    }

    let end = start + 1;
    while (end < source.length && !endsSymbol(source[end]!)) end++;
    let word = source.slice(start, end);
    this.index = end;
    if (/^[-+]?[0-9]+$/.test(word)) {
      if (source[end] === ".") {
        let decimals = end + 1;
        while (decimals < source.length && source[decimals]! >= "0" && source[decimals]! <= "9") decimals++;
        word = source.slice(start, decimals);
        this.index = decimals;
        return { type: "float", value: word, index: start };
      }
      return { type: "int", value: word, index: start };
    }
    if (word === "true" || word === "false") return { type: "boolean", value: word, index: start };
    if (word === "none" || word === "null") return { type: "none", value: word, index: start };
    return { type: "symbol", value: word, index: start };
  }

  private readString(quote: string): string {
    const source = this.source;
    let i = this.index + 1;
    let value = "";
    while (i < source.length && source[i] !== quote) {
      const char = source[i]!;
      if (char === "\\") {
        const escaped = source[i + 1] ?? "";
        value += escaped === "n" ? "\n" : escaped === "t" ? "\t" : escaped === "r" ? "\r" : escaped;
        i += 2;
      } else {
        value += char;
        i++;
      }
    }
    // An unterminated string runs to the end of the source; the parser then reports the missing tag end.
    this.index = i + 1;
    return value;
  }

  private nextData(): Token | null {
    const source = this.source;
    const start = this.index;
    if (start >= source.length) return null;
    const { variableStart } = this.options;
    for (const open of [BLOCK_START + "-", BLOCK_START]) {
      if (this.matches(open)) {
        this.index += open.length;
        this.inCode = true;
        return { type: "block-start", value: open, index: start };
      }
    }
    for (const open of [variableStart + "-", variableStart]) {
      if (this.matches(open)) {
        this.index += open.length;
        this.inCode = true;
        return { type: "variable-start", value: open, index: start };
      }
    }

    let text = "";
    let inComment = false;
    if (this.matches(COMMENT_START)) {
      inComment = true;
      text = COMMENT_START;
      this.index += COMMENT_START.length;
    }
    let reachedEnd = false;
    for (;;) {
      if (this.index >= source.length) {
        reachedEnd = true;
        break;
      }
      this.beginChars.lastIndex = this.index;
      const stop = this.beginChars.exec(source)?.index ?? source.length;
      text += source.slice(this.index, stop);
      this.index = stop;
      if (stop >= source.length) {
        reachedEnd = true;
        break;
      }
      if (
        !inComment &&
        (this.matches(BLOCK_START) || this.matches(variableStart) || this.matches(COMMENT_START))
      ) {
        if (this.options.lstripBlocks && this.matches(BLOCK_START)) {
          const column = this.column();
          if (column > 0 && column <= text.length && /^\s+$/.test(text.slice(-column))) {
            text = text.slice(0, -column);
            if (text === "") return this.next();
          }
        }
        break;
      }
      if (this.matches(COMMENT_END)) {
        if (!inComment) {
          const { variableStart: open, variableEnd: close } = this.options;
          this.fail(
            `"${COMMENT_END}" outside a comment; to keep it as text write ${open} "${COMMENT_END}" ${close}`,
            stop,
          );
        }
        text += COMMENT_END;
        this.index += COMMENT_END.length;
        break;
      }
      text += source[this.index];
      this.index++;
    }
    if (reachedEnd && inComment)
      this.fail(`comment is not closed: expected "${COMMENT_END}" before the end`, start);
    return { type: inComment ? "comment" : "data", value: text, index: start };
  }
}
