/**
 * The syntax tree of a template. Expressions keep the shape nunjucks gives them (one node type per grammar
 * level), because the compiler emits them the way nunjucks does and their meaning depends on that shape.
 */

export type BinaryOperator = "or" | "and" | "+" | "~" | "-" | "*" | "/" | "//" | "%" | "**";
export type CompareOperator = "==" | "===" | "!=" | "!==" | "<" | ">" | "<=" | ">=";

export interface KeywordArgument {
  name: string;
  value: Expr;
  at: number;
}

export type Expr =
  | { kind: "literal"; value: string | number | boolean | null; at: number }
  | { kind: "regex"; source: string; flags: string; at: number }
  | { kind: "symbol"; name: string; at: number }
  | { kind: "group"; items: Expr[]; at: number }
  | { kind: "array"; items: Expr[]; at: number }
  | { kind: "dict"; pairs: Array<{ key: string; value: Expr }>; at: number }
  | { kind: "lookup"; target: Expr; key: Expr; at: number }
  | { kind: "slice"; target: Expr; start: Expr | null; stop: Expr | null; step: Expr | null; at: number }
  | { kind: "call"; callee: Expr; args: Expr[]; kwargs: KeywordArgument[] | null; at: number }
  | { kind: "filter"; name: string; input: Expr; args: Expr[]; kwargs: KeywordArgument[] | null; at: number }
  | { kind: "is"; left: Expr; test: string; args: Expr[]; at: number }
  | { kind: "in"; left: Expr; right: Expr; at: number }
  | { kind: "not"; target: Expr; at: number }
  | { kind: "neg"; target: Expr; at: number }
  | { kind: "pos"; target: Expr; at: number }
  | { kind: "binary"; op: BinaryOperator; left: Expr; right: Expr; at: number }
  | { kind: "compare"; first: Expr; rest: Array<{ op: CompareOperator; expr: Expr }>; at: number }
  | { kind: "ternary"; cond: Expr; body: Expr; otherwise: Expr | null; at: number }
  | { kind: "capture"; body: Node[]; at: number };

export type Node =
  | { kind: "text"; value: string; at: number }
  | {
      kind: "output";
      expr: Expr;
      at: number;
      /** from {% filter %} rather than an expression tag */ block?: boolean;
    }
  | { kind: "if"; cond: Expr; body: Node[]; otherwise: Node[] | null; at: number }
  | {
      kind: "for";
      names: string[];
      destructure: boolean;
      iterable: Expr;
      body: Node[];
      otherwise: Node[] | null;
      at: number;
    }
  | { kind: "set"; targets: Array<{ name: string; at: number }>; value: Expr; at: number }
  | {
      kind: "switch";
      expr: Expr;
      cases: Array<{ cond: Expr; body: Node[] }>;
      fallback: Node[] | null;
      at: number;
    };
