import type { Expr, Node } from "./ast.ts";
import { BLOCK_START, COMMENT_END, COMMENT_START, Lexer, type LexerOptions, type Token } from "./lexer.ts";
import { ExpressionParser } from "./parse-expression.ts";
import { describeToken } from "./token-stream.ts";

const UNSUPPORTED_TAGS = new Set([
  "extends",
  "include",
  "import",
  "from",
  "block",
  "macro",
  "call",
  "asyncEach",
  "asyncAll",
  "ifAsync",
]);

/**
 * Template text to a syntax tree. Whitespace control follows nunjucks exactly: `{%-`, `${{-` and `{#-`
 * trim the whitespace before the tag from the preceding text, and `-%}`, `-}}`, `-#}` trim the whitespace
 * after it from the next text (set by the tag just read, used by the next text node).
 */
export class TemplateParser extends ExpressionParser {
  private breakOn: readonly string[] | null = null;
  private dropLeadingWhitespace = false;

  constructor(lexer: Lexer, compat: boolean) {
    super(lexer, compat);
  }

  parseTemplate(): Node[] {
    return this.parseNodes();
  }

  private parseUntil(...names: string[]): Node[] {
    const previous = this.breakOn;
    this.breakOn = names;
    const nodes = this.parseNodes();
    this.breakOn = previous;
    return nodes;
  }

  private parseNodes(): Node[] {
    const nodes: Node[] = [];
    const { variableStart, variableEnd } = this.lexer.options;
    for (let token = this.next(); token; token = this.next()) {
      if (token.type === "data") {
        let text = token.value;
        if (this.dropLeadingWhitespace) {
          text = text.replace(/^\s*/, "");
          this.dropLeadingWhitespace = false;
        }
        const following = this.peek();
        if (
          following &&
          ((following.type === "block-start" && following.value.endsWith("-")) ||
            (following.type === "variable-start" && following.value.charAt(variableStart.length) === "-") ||
            (following.type === "comment" && following.value.charAt(COMMENT_START.length) === "-"))
        ) {
          text = text.replace(/\s*$/, "");
        }
        nodes.push({ kind: "text", value: text, at: token.index });
      } else if (token.type === "block-start") {
        this.dropLeadingWhitespace = false;
        const node = this.parseStatement();
        if (node === null) break;
        if (node !== undefined) nodes.push(node);
      } else if (token.type === "variable-start") {
        const expr = this.parseExpression();
        this.dropLeadingWhitespace = false;
        const end = this.next();
        if (!end || end.type !== "variable-end")
          this.expected(`"${variableEnd}" to close the expression`, end);
        this.dropLeadingWhitespace = end.value.length > variableEnd.length;
        nodes.push({ kind: "output", expr, at: token.index });
      } else if (token.type === "comment") {
        this.dropLeadingWhitespace = token.value.charAt(token.value.length - COMMENT_END.length - 1) === "-";
      } else {
        this.fail(`unexpected ${describeToken(token)} outside a tag`, token);
      }
    }
    return nodes;
  }

  /** Returns null at a tag that ends the enclosing block, undefined for a tag that yields no node. */
  private parseStatement(): Node | null | undefined {
    const token = this.peek();
    if (!token || token.type !== "symbol") this.expected("a tag name after {%", token);
    if (this.breakOn?.includes(token.value)) return null;
    switch (token.value) {
      case "raw":
      case "verbatim":
        return this.parseRaw(token.value);
      case "if":
        return this.parseIf();
      case "for":
        return this.parseFor();
      case "set":
        return this.parseSet();
      case "filter":
        return this.parseFilterBlock();
      case "switch":
        return this.parseSwitch();
      default:
        if (UNSUPPORTED_TAGS.has(token.value)) {
          this.fail(
            `the {% ${token.value} %} tag is not supported: a scaffolder template renders on its own`,
            token,
          );
        }
        this.fail(
          `unknown tag "${token.value}"${this.breakOn ? `; expected one of ${this.breakOn.join(", ")}` : ""}`,
          token,
        );
    }
  }

  /** Reads `name %}` (the tag's name when not given) and notes a `-%}`. */
  private advanceAfterBlockEnd(name?: string): Token {
    if (!name) {
      const token = this.peek();
      if (!token) this.fail("unexpected end of the template inside a tag");
      if (token.type !== "symbol") this.expected("a tag name", token);
      name = this.next()!.value;
    }
    const end = this.next();
    if (!end || end.type !== "block-end") this.expected(`"%}" to close the ${name} tag`, end);
    if (end.value.startsWith("-")) this.dropLeadingWhitespace = true;
    return end;
  }

  private endOf(block: string, opener: Token, closers: string): never {
    this.fail(
      `the ${block} tag opened at line ${this.lexer.lines.position(opener.index).line} is not closed: expected ${closers}`,
      null,
    );
  }

  private parseIf(): Node {
    const tag = this.next()!;
    const cond = this.parseExpression();
    this.advanceAfterBlockEnd(tag.value);
    const body = this.parseUntil("elif", "elseif", "else", "endif");
    const next = this.peek();
    let otherwise: Node[] | null = null;
    switch (next?.value) {
      case "elif":
      case "elseif":
        otherwise = [this.parseIf()];
        break;
      case "else":
        this.advanceAfterBlockEnd();
        otherwise = this.parseUntil("endif");
        if (!this.peek()) this.endOf("if", tag, "{% endif %}");
        this.advanceAfterBlockEnd();
        break;
      case "endif":
        this.advanceAfterBlockEnd();
        break;
      default:
        this.endOf("if", tag, "{% elif %}, {% else %} or {% endif %}");
    }
    return { kind: "if", cond, body, otherwise, at: tag.index };
  }

  private parseFor(): Node {
    const tag = this.next()!;
    const names: string[] = [this.loopName()];
    let destructure = false;
    if (this.peek()?.type === "comma") {
      destructure = true;
      while (this.skip("comma")) names.push(this.loopName());
    }
    if (!this.skipSymbol("in")) this.expected('"in" after the loop variable', this.peek());
    const iterable = this.parseExpression();
    this.advanceAfterBlockEnd(tag.value);
    const body = this.parseUntil("endfor", "else");
    let otherwise: Node[] | null = null;
    if (this.skipSymbol("else")) {
      this.advanceAfterBlockEnd("else");
      otherwise = this.parseUntil("endfor");
    }
    if (!this.peek()) this.endOf("for", tag, "{% endfor %}");
    this.advanceAfterBlockEnd();
    return { kind: "for", names, destructure, iterable, body, otherwise, at: tag.index };
  }

  private loopName(): string {
    const token = this.peek();
    const name = this.parsePrimary();
    if (name.kind !== "symbol") this.fail("expected a variable name for the loop", token);
    return name.name;
  }

  private parseSet(): Node {
    const tag = this.next()!;
    const targets: Array<{ name: string; at: number }> = [];
    do {
      const token = this.peek();
      const target = this.parsePrimary();
      if (target.kind !== "symbol") this.fail("expected a variable name to set", token);
      targets.push({ name: target.name, at: target.at });
    } while (this.skip("comma"));
    let value: Expr;
    if (this.skipValue("operator", "=")) {
      value = this.parseExpression();
      this.advanceAfterBlockEnd(tag.value);
    } else {
      // nunjucks ignores a `-%}` here: the block's text keeps its leading whitespace.
      if (!this.skip("block-end")) this.expected('"=" or "%}" in the set tag', this.peek());
      const body = this.parseUntil("endset");
      if (!this.peek()) this.endOf("set", tag, "{% endset %}");
      this.advanceAfterBlockEnd();
      value = { kind: "capture", body, at: tag.index };
    }
    return { kind: "set", targets, value, at: tag.index };
  }

  private parseFilterBlock(): Node {
    const tag = this.next()!;
    const nameToken = this.peek();
    const name = this.parseFilterName();
    const signature = this.peek()?.type === "left-paren" ? this.parseSignature() : { args: [], kwargs: null };
    this.advanceAfterBlockEnd(tag.value);
    const body = this.parseUntil("endfilter");
    if (!this.peek()) this.endOf("filter", tag, "{% endfilter %}");
    this.advanceAfterBlockEnd();
    const input: Expr = { kind: "capture", body, at: tag.index };
    return {
      kind: "output",
      expr: { kind: "filter", name, input, ...signature, at: nameToken!.index },
      at: tag.index,
      block: true,
    };
  }

  private parseSwitch(): Node {
    const tag = this.next()!;
    const expr = this.parseExpression();
    this.advanceAfterBlockEnd(tag.value);
    // Text between {% switch %} and the first case is dropped, as in nunjucks.
    this.parseUntil("case", "default", "endswitch");
    const cases: Array<{ cond: Expr; body: Node[] }> = [];
    while (this.peek()?.value === "case") {
      this.next();
      const cond = this.parseExpression();
      this.advanceAfterBlockEnd("case");
      cases.push({ cond, body: this.parseUntil("case", "default", "endswitch") });
    }
    let fallback: Node[] | null = null;
    switch (this.peek()?.value) {
      case "default":
        this.advanceAfterBlockEnd();
        fallback = this.parseUntil("endswitch");
        if (!this.peek()) this.endOf("switch", tag, "{% endswitch %}");
        this.advanceAfterBlockEnd();
        break;
      case "endswitch":
        this.advanceAfterBlockEnd();
        break;
      default:
        this.endOf("switch", tag, "{% case %}, {% default %} or {% endswitch %}");
    }
    return { kind: "switch", expr, cases, fallback, at: tag.index };
  }

  /** `{% raw %}…{% endraw %}`: the body is text, nested raw tags included, up to the matching end tag. */
  private parseRaw(name: string): Node {
    const tag = this.peek()!;
    this.advanceAfterBlockEnd();
    const source = this.lexer.source;
    const pattern = new RegExp(`${BLOCK_START}\\s*(${name}|end${name})\\s*%\\}`, "g");
    let depth = 1;
    let text = "";
    let from = this.lexer.offset;
    for (;;) {
      pattern.lastIndex = from;
      const match = pattern.exec(source);
      if (!match) {
        // Like nunjucks, a raw block without its end keeps what it found and goes on as a template.
        break;
      }
      depth += match[1] === name ? 1 : -1;
      if (depth === 0) {
        text += source.slice(from, match.index);
        from = match.index + match[0].length;
        break;
      }
      text += source.slice(from, match.index + match[0].length);
      from = match.index + match[0].length;
    }
    this.lexer.seek(from);
    return { kind: "text", value: text, at: tag.index };
  }
}

export interface ParseOptions extends LexerOptions {
  compat: boolean;
}

export function parseTemplate(source: string, options: ParseOptions): Node[] {
  return new TemplateParser(new Lexer(source, options), options.compat).parseTemplate();
}
