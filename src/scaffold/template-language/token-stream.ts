import { TemplateSyntaxError } from "./errors.ts";
import type { Lexer, Token, TokenType } from "./lexer.ts";

const TOKEN_NAMES: Partial<Record<TokenType, string>> = {
  "block-end": '"%}"',
  "variable-end": "the end of the expression",
  "block-start": '"{%"',
  "variable-start": "the start of an expression",
  data: "text",
  comment: "a comment",
};

/** Describes a token for an error message: `"%}"`, `name "foo"`, `the end of the template`. */
export function describeToken(token: Token | null): string {
  if (!token) return "the end of the template";
  switch (token.type) {
    case "string":
      return `the string ${JSON.stringify(token.value)}`;
    case "symbol":
      return `name "${token.value}"`;
    case "int":
    case "float":
      return `number ${token.value}`;
    case "variable-end":
    case "block-end":
      return `"${token.value}"`;
    default:
      return TOKEN_NAMES[token.type] ?? `"${token.value}"`;
  }
}

/** Reads tokens with one token of look-ahead, skipping whitespace inside tags. */
export class TokenStream {
  private peeked: Token | null | undefined = undefined;

  constructor(protected readonly lexer: Lexer) {}

  protected next(): Token | null {
    if (this.peeked !== undefined) {
      const token = this.peeked;
      this.peeked = undefined;
      if (!token || token.type !== "whitespace") return token;
    }
    let token = this.lexer.next();
    while (token && token.type === "whitespace") token = this.lexer.next();
    return token;
  }

  protected peek(): Token | null {
    if (this.peeked === undefined) this.peeked = this.next();
    return this.peeked;
  }

  protected push(token: Token | null): void {
    if (this.peeked !== undefined) throw new Error("template parser: cannot push back two tokens");
    this.peeked = token;
  }

  /** Consumes the next token if it has this type. */
  protected skip(type: TokenType): boolean {
    const token = this.next();
    if (token && token.type === type) return true;
    this.push(token);
    return false;
  }

  protected skipValue(type: TokenType, value: string): boolean {
    const token = this.next();
    if (token && token.type === type && token.value === value) return true;
    this.push(token);
    return false;
  }

  protected skipSymbol(name: string): boolean {
    return this.skipValue("symbol", name);
  }

  /** Throws a syntax error at the token (or the look-ahead, or the end of the source). */
  fail(reason: string, token?: Token | null): never {
    const at = token ? token.index : (this.peek()?.index ?? this.lexer.source.length);
    this.lexer.fail(reason, at);
  }

  protected expected(what: string, found: Token | null): never {
    this.fail(`expected ${what}, found ${describeToken(found)}`, found);
  }

  protected syntaxError(reason: string, at: number): TemplateSyntaxError {
    return new TemplateSyntaxError(reason, {
      file: this.lexer.options.file,
      ...this.lexer.lines.position(at),
    });
  }
}
