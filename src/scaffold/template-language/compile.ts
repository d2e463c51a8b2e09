import type { Expr, KeywordArgument, Node } from "./ast.ts";
import { TemplateSyntaxError } from "./errors.ts";
import type { LineMap } from "./lexer.ts";

/**
 * Turns the syntax tree into an eta template whose tags hold JavaScript. Every name, member, call, filter
 * and test becomes a call on the render state `r` (see runtime.ts), so template text never becomes
 * JavaScript of its own: names and string literals are emitted as JSON string literals, and nothing else
 * from the source reaches the generated code.
 *
 * Operators are emitted exactly as nunjucks emits them, without parentheses, so JavaScript's own
 * precedence decides their meaning as it does in nunjucks (`not a == b` is `(!a) == b`, `"x" ~ 1 + 2` is
 * `"x12"`). Loop variables live in JavaScript variables known at compile time and `set` variables in
 * runtime frames, as in nunjucks, because the two differ in what a `set` inside a loop changes.
 */

export interface CompileSettings {
  /** renderValue's typed mode: each `${{ }}` output is written as JSON (Backstage's `| dump` rewrite). */
  dumpOutputs: boolean;
  /** Jinja compatibility: list and dict literals are marked as the template's own (see jinja-compat.ts). */
  compat: boolean;
  file?: string;
}

const BINARY: Record<string, string> = {
  or: " || ",
  and: " && ",
  "+": " + ",
  "~": ' + "" + ',
  "-": " - ",
  "*": " * ",
  "/": " / ",
  "%": " % ",
};

function literal(text: string): string {
  const json = JSON.stringify(text);
  return /[\u2028\u2029]/.test(json)
    ? json.replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029")
    : json;
}

export class Compiler {
  private readonly parts: string[] = [];
  private counter = 0;
  private readonly scopes: Array<Map<string, string>> = [new Map()];
  private loopDepth = 0;
  private readonly captures = new Map<Expr, string>();

  constructor(
    private readonly lines: LineMap,
    private readonly settings: CompileSettings,
  ) {}

  compile(nodes: Node[]): string {
    this.code("let f = r.root;");
    this.nodes(nodes);
    return this.parts.join("");
  }

  private fail(reason: string, at: number): never {
    throw new TemplateSyntaxError(reason, { file: this.settings.file, ...this.lines.position(at) });
  }

  private tmp(): string {
    return `t${++this.counter}`;
  }

  private code(js: string): void {
    this.parts.push(`<% ${js} %>`);
  }

  private write(js: string): void {
    this.parts.push(`<%~ ${js} %>`);
  }

  private lookupScope(name: string): string | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const id = this.scopes[i]!.get(name);
      if (id) return id;
    }
    return undefined;
  }

  private nodes(nodes: Node[]): void {
    for (const node of nodes) this.node(node);
  }

  private node(node: Node): void {
    switch (node.kind) {
      case "text":
        if (node.value) this.write(`r.o(${literal(node.value)})`);
        return;
      case "output": {
        this.prepareCaptures(node.expr);
        const value = this.expr(node.expr);
        this.code(`r.p = ${node.at};`);
        this.write(
          this.settings.dumpOutputs && !node.block ? `r.o(JSON.stringify(${value}))` : `r.o(${value})`,
        );
        return;
      }
      case "if":
        this.code(`r.p = ${node.at}; if (${this.expr(node.cond)}) {`);
        this.nodes(node.body);
        if (node.otherwise) {
          this.code("} else {");
          this.nodes(node.otherwise);
        }
        this.code("}");
        return;
      case "for":
        return this.loop(node);
      case "set": {
        this.prepareCaptures(node.value);
        const value = this.tmp();
        const assignments = node.targets.map(({ name }) => {
          const id = this.lookupScope(name);
          return `${id ? `${id} = ${value}; ` : ""}r.sv(f, ${literal(name)}, ${value}, ${this.loopDepth === 0});`;
        });
        this.code(
          `r.p = ${node.at}; { const ${value} = ${this.expr(node.value)}; ${assignments.join(" ")} }`,
        );
        return;
      }
      case "switch":
        this.code(`r.p = ${node.at}; switch (${this.expr(node.expr)}) {`);
        for (const { cond, body } of node.cases) {
          this.code(`case ${this.expr(cond)}: {`);
          this.nodes(body);
          this.code(body.length ? "} break;" : "}");
        }
        if (node.fallback) {
          this.code("default: {");
          this.nodes(node.fallback);
          this.code("}");
        }
        this.code("}");
        return;
    }
  }

  /** Renders `{% set %}` and `{% filter %}` bodies into variables before the statement that uses them. */
  private prepareCaptures(expr: Expr): void {
    const capture =
      expr.kind === "capture"
        ? expr
        : expr.kind === "filter" && expr.input.kind === "capture"
          ? expr.input
          : null;
    if (!capture || capture.kind !== "capture") return;
    const id = this.tmp();
    this.code(`const ${id} = capture(() => {`);
    this.nodes(capture.body);
    this.code("});");
    this.captures.set(capture, id);
  }

  private loop(node: Extract<Node, { kind: "for" }>): void {
    const list = this.tmp();
    const length = this.tmp();
    const index = this.tmp();
    this.code(`r.p = ${node.at}; f = f.push(); let ${list} = ${this.expr(node.iterable)}; let ${length};`);
    const scope = new Map<string, string>();
    this.scopes.push(scope);
    this.loopDepth++;
    const bind = (name: string, value: string) => {
      const id = scope.get(name) ?? this.tmp();
      scope.set(name, id);
      return `${id} = ${value}; f.set(${literal(name)}, ${id});`;
    };
    if (!node.destructure) {
      const name = node.names[0]!;
      const assign = bind(name, `${list}[${index}]`);
      this.code(
        `let ${scope.get(name)}; if (${list}) { ${list} = r.it(${list}); ${length} = ${list}.length; ` +
          `for (let ${index} = 0; ${index} < ${list}.length; ${index}++) { r.tick(); ${assign} r.loop(f, ${index}, ${length});`,
      );
      this.nodes(node.body);
      this.code("} }");
    } else {
      const item = this.tmp();
      const keys = this.tmp();
      const fromArray = node.names.map((name, i) => bind(name, `r.at(${item}, ${i})`)).join(" ");
      const [keyName, valueName] = node.names;
      const fromObject =
        bind(keyName!, `${keys}[${index}]`) +
        (valueName ? " " + bind(valueName, `r.m(${list}, ${scope.get(keyName!)})`) : "");
      this.code(`let ${[...new Set(scope.values())].join(", ")};`);
      this.code(
        `if (${list}) { ${list} = r.it(${list}); if (Array.isArray(${list})) { ${length} = ${list}.length; ` +
          `for (let ${index} = 0; ${index} < ${list}.length; ${index}++) { r.tick(); const ${item} = ${list}[${index}]; ${fromArray} r.loop(f, ${index}, ${length});`,
      );
      this.nodes(node.body);
      this.code(
        `} } else { const ${keys} = r.keys(${list}); ${length} = ${keys}.length; ` +
          `for (let ${index} = 0; ${index} < ${keys}.length; ${index}++) { r.tick(); ${fromObject} r.loop(f, ${index}, ${length});`,
      );
      this.nodes(node.body);
      this.code("} } }");
    }
    if (node.otherwise) {
      this.code(`if (!${length}) {`);
      this.nodes(node.otherwise);
      this.code("}");
    }
    this.loopDepth--;
    this.scopes.pop();
    this.code("f = f.parent;");
  }

  private owned(js: string): string {
    return this.settings.compat ? `r.own(${js})` : js;
  }

  private args(args: Expr[], kwargs: KeywordArgument[] | null): string[] {
    const list = args.map((arg) => this.expr(arg));
    if (kwargs)
      list.push(
        `r.k({${kwargs.map((pair) => `[${literal(pair.name)}]: ${this.expr(pair.value)}`).join(", ")}})`,
      );
    return list;
  }

  expr(node: Expr): string {
    switch (node.kind) {
      case "literal":
        if (typeof node.value === "string") return literal(node.value);
        if (node.value === Infinity) return "(1 / 0)";
        return String(node.value);
      case "regex":
        return `r.re(${literal(node.source)}, ${literal(node.flags)})`;
      case "symbol":
        return this.lookupScope(node.name) ?? `r.v(f, ${literal(node.name)})`;
      case "group":
        if (!node.items.length) this.fail("empty parentheses: expected an expression inside", node.at);
        return `(${node.items.map((item) => this.expr(item)).join(",")})`;
      case "array":
        return this.owned(`[${node.items.map((item) => this.expr(item)).join(",")}]`);
      case "dict":
        return this.owned(
          `{${node.pairs.map(({ key, value }) => `[${literal(key)}]: ${this.expr(value)}`).join(", ")}}`,
        );
      case "lookup":
        return `r.m((${this.expr(node.target)}), ${this.expr(node.key)})`;
      case "slice":
        return `r.sl(${this.expr(node.target)}, ${node.start ? this.expr(node.start) : "null"}, ${node.stop ? this.expr(node.stop) : "null"}, ${node.step ? this.expr(node.step) : "1"})`;
      case "call":
        return `r.c(${node.at}, ${this.expr(node.callee)}, ${literal(describeCallee(node.callee))}, [${this.args(node.args, node.kwargs).join(", ")}])`;
      case "filter":
        return `r.f(${[String(node.at), literal(node.name), this.expr(node.input), ...this.args(node.args, node.kwargs)].join(", ")})`;
      case "is":
        return `r.t(${[String(node.at), literal(node.test), this.expr(node.left), ...node.args.map((arg) => this.expr(arg))].join(", ")}) === true`;
      case "in":
        return `r.i(${this.expr(node.left)}, ${this.expr(node.right)})`;
      case "not":
        return "!" + this.expr(node.target);
      case "neg":
      case "pos": {
        const sign = node.kind === "neg" ? "-" : "+";
        const target = this.expr(node.target);
        if (target.startsWith(sign))
          this.fail(
            `"${sign}${sign}" is not an operator; write ${sign}(${sign}x) to apply ${sign} twice`,
            node.at,
          );
        return sign + target;
      }
      case "binary": {
        const left = this.expr(node.left);
        const right = this.expr(node.right);
        if (node.op === "//") return `r.fl(${left} / ${right})`;
        if (node.op === "**") return `r.pw(${left}, ${right})`;
        return left + BINARY[node.op] + right;
      }
      case "compare":
        return this.expr(node.first) + node.rest.map(({ op, expr }) => ` ${op} ${this.expr(expr)}`).join("");
      case "ternary":
        return `(${this.expr(node.cond)} ? ${this.expr(node.body)} : ${node.otherwise ? this.expr(node.otherwise) : '""'})`;
      case "capture": {
        const id = this.captures.get(node);
        if (!id) this.fail("a block's body can only be used by set or filter", node.at);
        return id;
      }
    }
  }
}

/** How an error names what was called, like nunjucks: `foo`, `a["b"]`, `the return value of (f)`. */
function describeCallee(node: Expr): string {
  switch (node.kind) {
    case "symbol":
      return node.name;
    case "call":
      return `the return value of (${describeCallee(node.callee)})`;
    case "lookup":
      return `${describeCallee(node.target)}["${node.key.kind === "literal" ? String(node.key.value) : describeCallee(node.key)}"]`;
    case "literal":
      return String(node.value);
    default:
      return "an expression";
  }
}
