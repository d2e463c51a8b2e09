import type { BinaryOperator, CompareOperator, Expr, KeywordArgument } from "./ast.ts";
import type { Lexer, Token } from "./lexer.ts";
import { TokenStream, describeToken } from "./token-stream.ts";

const COMPARE_OPERATORS = new Set<string>(["==", "===", "!=", "!==", "<", ">", "<=", ">="]);
const CLOSERS = new Set(["right-paren", "right-bracket", "right-curly"]);

/**
 * Expressions, from loosest to tightest: `a if c else b`, `or`, `and`, `not`, `in`, `is`, comparisons,
 * `~`, `+`, `-`, `*`, `/`, `//`, `%`, `**`, unary `-`/`+` with `|` filters, then literals, names and
 * postfix `.name`, `[index]`, `(arguments)`. These are nunjucks' grammar levels, one function each.
 */
export class ExpressionParser extends TokenStream {
  constructor(
    lexer: Lexer,
    protected readonly compat: boolean,
  ) {
    super(lexer);
  }

  parseExpression(): Expr {
    const body = this.parseOr();
    if (!this.skipSymbol("if")) return body;
    const cond = this.parseOr();
    const otherwise = this.skipSymbol("else") ? this.parseOr() : null;
    return { kind: "ternary", cond, body, otherwise, at: body.at };
  }

  private binaryLevel(op: BinaryOperator, symbol: boolean, operand: () => Expr): Expr {
    let node = operand();
    for (;;) {
      const found = symbol
        ? this.skipSymbol(op)
        : op === "~"
          ? this.skipValue("tilde", "~")
          : this.skipValue("operator", op);
      if (!found) return node;
      node = { kind: "binary", op, left: node, right: operand(), at: node.at };
    }
  }

  private parseOr(): Expr {
    return this.binaryLevel("or", true, () => this.parseAnd());
  }

  private parseAnd(): Expr {
    return this.binaryLevel("and", true, () => this.parseNot());
  }

  private parseNot(): Expr {
    const token = this.peek();
    if (this.skipSymbol("not")) return { kind: "not", target: this.parseNot(), at: token!.index };
    return this.parseIn();
  }

  private parseIn(): Expr {
    let node = this.parseIs();
    for (;;) {
      const token = this.next();
      if (!token) return node;
      const invert = token.type === "symbol" && token.value === "not";
      if (!invert) this.push(token);
      if (!this.skipSymbol("in")) {
        if (invert) this.fail(`expected "in" after "not", found ${describeToken(this.peek())}`);
        return node;
      }
      node = { kind: "in", left: node, right: this.parseIs(), at: node.at };
      if (invert) node = { kind: "not", target: node, at: node.at };
    }
  }

  private parseIs(): Expr {
    const node = this.parseCompare();
    if (!this.skipSymbol("is")) return node;
    const negate = this.skipSymbol("not");
    const testToken = this.peek();
    const right = this.parseCompare();
    // nunjucks takes the test's name from a name, a call's callee or a literal's value, and anything else
    // (`x is defined == false`) as the test "undefined": odd, but templates written for Backstage mean that.
    let test = "undefined";
    let args: Expr[] = [];
    if (right.kind === "symbol") test = right.name;
    else if (right.kind === "literal") test = String(right.value);
    else if (right.kind === "call") {
      if (right.kwargs || right.args.length > 1)
        this.fail("a test takes one argument, like `is divisibleby(3)`", testToken);
      if (right.callee.kind === "symbol") test = right.callee.name;
      args = right.args;
    }
    const node2: Expr = { kind: "is", left: node, test, args, at: node.at };
    return negate ? { kind: "not", target: node2, at: node.at } : node2;
  }

  private parseCompare(): Expr {
    const first = this.parseConcat();
    const rest: Array<{ op: CompareOperator; expr: Expr }> = [];
    for (;;) {
      const token = this.next();
      if (!token) break;
      // nunjucks compares the token's text whatever its type, so `a "==" b` compares too.
      if (COMPARE_OPERATORS.has(token.value) && token.type !== "data") {
        rest.push({ op: token.value as CompareOperator, expr: this.parseConcat() });
      } else {
        this.push(token);
        break;
      }
    }
    return rest.length ? { kind: "compare", first, rest, at: first.at } : first;
  }

  private parseConcat(): Expr {
    return this.binaryLevel("~", false, () => this.parseAdd());
  }
  private parseAdd(): Expr {
    return this.binaryLevel("+", false, () => this.parseSub());
  }
  private parseSub(): Expr {
    return this.binaryLevel("-", false, () => this.parseMul());
  }
  private parseMul(): Expr {
    return this.binaryLevel("*", false, () => this.parseDiv());
  }
  private parseDiv(): Expr {
    return this.binaryLevel("/", false, () => this.parseFloorDiv());
  }
  private parseFloorDiv(): Expr {
    return this.binaryLevel("//", false, () => this.parseMod());
  }
  private parseMod(): Expr {
    return this.binaryLevel("%", false, () => this.parsePow());
  }
  private parsePow(): Expr {
    return this.binaryLevel("**", false, () => this.parseUnary(false));
  }

  private parseUnary(noFilters: boolean): Expr {
    const token = this.peek();
    let node: Expr;
    if (this.skipValue("operator", "-"))
      node = { kind: "neg", target: this.parseUnary(true), at: token!.index };
    else if (this.skipValue("operator", "+"))
      node = { kind: "pos", target: this.parseUnary(true), at: token!.index };
    else node = this.parsePrimary();
    return noFilters ? node : this.parseFilters(node);
  }

  protected parseFilters(node: Expr): Expr {
    while (this.skip("pipe")) {
      const nameToken = this.peek();
      const name = this.parseFilterName();
      let args: Expr[] = [];
      let kwargs: KeywordArgument[] | null = null;
      if (this.peek()?.type === "left-paren") ({ args, kwargs } = this.parseSignature());
      node = { kind: "filter", name, input: node, args, kwargs, at: nameToken!.index };
    }
    return node;
  }

  protected parseFilterName(): string {
    const token = this.next();
    if (!token || token.type !== "symbol") this.expected("a filter name", token);
    let name = token.value;
    while (this.skipValue("operator", ".")) {
      const part = this.next();
      if (!part || part.type !== "symbol") this.expected("a filter name after the dot", part);
      name += "." + part.value;
    }
    return name;
  }

  parsePrimary(noPostfix = false): Expr {
    const token = this.next();
    if (!token) this.fail("expected an expression, found the end of the template");
    let node: Expr;
    switch (token.type) {
      case "string":
        node = { kind: "literal", value: token.value, at: token.index };
        break;
      case "int":
        node = { kind: "literal", value: parseInt(token.value, 10), at: token.index };
        break;
      case "float":
        node = { kind: "literal", value: parseFloat(token.value), at: token.index };
        break;
      case "boolean":
        node = { kind: "literal", value: token.value === "true", at: token.index };
        break;
      case "none":
        node = { kind: "literal", value: null, at: token.index };
        break;
      case "regex":
        try {
          new RegExp(token.value, token.flags);
        } catch (error) {
          this.fail(`invalid regular expression r/${token.value}/: ${(error as Error).message}`, token);
        }
        node = { kind: "regex", source: token.value, flags: token.flags ?? "", at: token.index };
        break;
      case "symbol":
        if (/["\\]/.test(token.value)) this.fail(`"${token.value}" is not a valid name`, token);
        node = { kind: "symbol", name: token.value, at: token.index };
        break;
      default: {
        this.push(token);
        const aggregate = this.parseAggregate();
        if (!aggregate) this.expected("an expression", token);
        node = aggregate;
      }
    }
    return noPostfix ? node : this.parsePostfix(node);
  }

  private parsePostfix(node: Expr): Expr {
    for (let token = this.peek(); token; token = this.peek()) {
      if (token.type === "left-paren") {
        const { args, kwargs } = this.parseSignature();
        node = { kind: "call", callee: node, args, kwargs, at: token.index };
      } else if (token.type === "left-bracket") {
        node = this.parseIndex(node, token);
      } else if (token.type === "operator" && token.value === ".") {
        this.next();
        const name = this.next();
        if (!name || name.type !== "symbol") this.expected("a name after the dot", name);
        node = {
          kind: "lookup",
          target: node,
          key: { kind: "literal", value: name.value, at: name.index },
          at: token.index,
        };
      } else {
        break;
      }
    }
    return node;
  }

  private parseIndex(target: Expr, open: Token): Expr {
    this.next();
    if (this.compat && this.peek()?.type === "colon") return this.parseSlice(target, open, null);
    const close = this.peek();
    if (close && CLOSERS.has(close.type)) this.expected("an index between the brackets", close);
    const key = this.parseExpression();
    if (this.compat && this.peek()?.type === "colon") return this.parseSlice(target, open, key);
    const end = this.next();
    if (!end || !CLOSERS.has(end.type)) {
      if (end?.type === "comma") this.fail("invalid index: an index is one expression", end);
      this.expected('"]" to close the index', end);
    }
    return { kind: "lookup", target, key, at: open.index };
  }

  /** Jinja's `x[start:stop:step]`, which nunjucks reads only in its Jinja-compatibility mode. */
  private parseSlice(target: Expr, open: Token, start: Expr | null): Expr {
    const parts: Array<Expr | null> = [start, null, null];
    for (let part = 1; part < 3 && this.skip("colon"); part++) {
      const token = this.peek();
      if (token && token.type !== "colon" && token.type !== "right-bracket")
        parts[part] = this.parseExpression();
    }
    const end = this.next();
    if (!end || end.type !== "right-bracket") this.expected('"]" to close the slice', end);
    return { kind: "slice", target, start: parts[0]!, stop: parts[1]!, step: parts[2]!, at: open.index };
  }

  protected parseSignature(): { args: Expr[]; kwargs: KeywordArgument[] | null } {
    const open = this.next();
    if (!open || open.type !== "left-paren") this.expected('"(" before the arguments', open);
    const args: Expr[] = [];
    const kwargs: KeywordArgument[] = [];
    for (let first = true; ; first = false) {
      const token = this.peek();
      if (token?.type === "right-paren") {
        this.next();
        break;
      }
      if (!first && !this.skip("comma")) this.expected('"," or ")" after an argument', this.peek());
      const arg = this.parseExpression();
      if (this.skipValue("operator", "=")) {
        const name = keywordName(arg);
        if (name === undefined)
          this.fail("a keyword argument's name must be a name or a string", this.tokenAt(arg));
        kwargs.push({ name, value: this.parseExpression(), at: arg.at });
      } else {
        args.push(arg);
      }
    }
    return { args, kwargs: kwargs.length ? kwargs : null };
  }

  private tokenAt(expr: Expr): Token {
    return { type: "symbol", value: "", index: expr.at };
  }

  private parseAggregate(): Expr | null {
    const open = this.next()!;
    const kind =
      open.type === "left-paren"
        ? "group"
        : open.type === "left-bracket"
          ? "array"
          : open.type === "left-curly"
            ? "dict"
            : null;
    if (!kind) return null;
    const items: Expr[] = [];
    const pairs: Array<{ key: string; value: Expr }> = [];
    for (;;) {
      const token = this.peek();
      if (!token)
        this.expected(
          `a closing bracket for the ${kind === "dict" ? "dict" : kind === "array" ? "list" : "parenthesis"}`,
          null,
        );
      if (CLOSERS.has(token.type)) {
        this.next();
        break;
      }
      if (items.length + pairs.length > 0 && !this.skip("comma")) {
        this.expected(`"," or "${kind === "group" ? ")" : kind === "array" ? "]" : "}"}"`, this.peek());
      }
      if (kind === "dict") {
        const keyToken = this.peek();
        const key = this.parsePrimary();
        const name = keywordName(key);
        if (name === undefined) this.fail("a dict key must be a name or a string", keyToken);
        if (!this.skip("colon")) this.expected('":" after the dict key', this.peek());
        pairs.push({ key: name, value: this.parseExpression() });
      } else {
        items.push(this.parseExpression());
      }
    }
    if (kind === "dict") return { kind, pairs, at: open.index };
    return { kind, items, at: open.index };
  }
}

function keywordName(expr: Expr): string | undefined {
  if (expr.kind === "symbol") return expr.name;
  if (expr.kind === "literal" && typeof expr.value === "string") return expr.value;
  return undefined;
}
