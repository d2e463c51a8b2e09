import { afterEach, describe, expect, it } from "vitest";
import {
  TemplateLimitError,
  TemplateRenderError,
  TemplateSyntaxError,
  renderTemplate,
  renderValue,
} from "./index.ts";

const context = {
  parameters: { name: "svc", list: [1, 2], nested: { a: 1 } },
  user: { entity: { metadata: { name: "ann" } } },
};

/** A render that must neither reach JavaScript nor fail with anything but a template error. */
function renderSafely(source: string, extra: Record<string, unknown> = {}): string {
  try {
    return renderTemplate(source, { ...context, ...extra });
  } catch (error) {
    expect(error instanceof TemplateRenderError || error instanceof TemplateSyntaxError).toBe(true);
    return `error: ${(error as Error).message}`;
  }
}

describe("expressions reach only the render context", () => {
  afterEach(() => {
    // Nothing a template does may leak into JavaScript's shared objects.
    expect(Object.prototype).not.toHaveProperty("polluted");
    expect(Array.prototype).not.toHaveProperty("polluted");
  });

  const escapes = [
    "''.constructor.constructor('return process')()",
    "[].map.constructor('return process')()",
    "[].constructor.constructor('return process')()",
    "parameters.constructor.constructor('return process')()",
    "parameters.name.constructor",
    "parameters.__proto__",
    "parameters['__proto__']",
    "parameters.list.__proto__.constructor",
    "parameters.prototype",
    "range.constructor('return process')()",
    "cycler('a').next.constructor('return process')()",
    "joiner().constructor",
    "(1).constructor",
    "parameters.name.split.constructor('return process')()",
    "parameters.name['constructor']['constructor']('return this')()",
    "process",
    "process.env",
    "require('child_process')",
    "globalThis",
    "this",
    "Function('return process')()",
    "eval('1')",
    "import('fs')",
    "module",
    "r",
    "f",
    "it",
    "__eta",
    "include('x')",
    "layout('x')",
    "output('x')",
    "capture",
    "constructor",
    "toString",
    "hasOwnProperty('name')",
    "parameters.hasOwnProperty('name')",
    "parameters.valueOf()",
    "parameters.list.map",
    "parameters.list.push(3)",
    "parameters.list.sort",
    "parameters.name.__defineGetter__",
    "{'__proto__': {'polluted': 1}}.polluted",
  ];

  it.each(escapes)("${{ %s }} renders nothing or fails as a template error", (expression) => {
    const output = renderSafely(`\${{ ${expression} }}`);
    expect(output === "" || output.startsWith("error: ")).toBe(true);
  });

  it("finds no prototype member among Jinja's constants in cookiecutter mode", () => {
    for (const name of ["constructor", "toString", "__proto__", "valueOf"]) {
      expect(renderTemplate(`[{{ ${name} }}]`, {}, { cookiecutterCompat: true })).toBe("[]");
    }
    expect(renderTemplate("{{ True }}{{ None }}", {}, { cookiecutterCompat: true })).toBe("true");
  });

  it("passes no function to a method that takes one", () => {
    expect(renderSafely("${{ parameters.name.replace('s', cycler().next.constructor) }}")).toBe(
      "undefinedvc",
    );
  });

  it("does not pollute prototypes through set, dict literals or Jinja's update", () => {
    expect(
      renderSafely("{% set x = {'__proto__': {'polluted': 1} } %}${{ x.polluted }}|${{ x.__proto__ }}"),
    ).toBe("|");
    const compat = "{% set d = {} %}{% set _ = d.update({'__proto__': {'polluted': 1} }) %}{{ d.polluted }}";
    expect(renderTemplate(compat, {}, { cookiecutterCompat: true })).toBe("");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("never changes the context it renders", () => {
    const data = { parameters: { list: [1, 2, 3], nested: { a: 1 } } };
    const before = JSON.stringify(data);
    const sources = [
      "{% for x in [1, 2] %}{% set loop = parameters.list %}{% endfor %}${{ parameters.list | length }}",
      "{% for x in [1, 2] %}{% set loop = parameters.nested %}${{ loop.a }}{% endfor %}",
      "${{ parameters.list | sort(true) | join }}${{ parameters.list | reverse | join }}",
      "{% set parameters = 1 %}{% set list = parameters %}",
    ];
    expect(sources.map((source) => renderTemplate(source, data))).toEqual(["3", "11", "321321", ""]);
    const compat =
      "{% for x in [1] %}{{ cookiecutter.list.count(1) }}{% endfor %}{{ cookiecutter.nested.items() }}";
    renderTemplate(compat, { cookiecutter: data.parameters }, { cookiecutterCompat: true });
    expect(JSON.stringify(data)).toBe(before);
  });

  it("treats functions found in data as missing, so they cannot be called", () => {
    const output = renderSafely("[${{ fn }}][${{ obj.fn }}]${{ fn() }}", {
      fn: () => "ran",
      obj: { fn: () => "ran" },
    });
    expect(output).toMatch(/^error: .*cannot call fn: it is undefined/);
  });

  it("calls globals the engine registered", () => {
    expect(
      renderTemplate("${{ greet('x') }}", {}, { globals: { greet: (who: unknown) => `hi ${String(who)}` } }),
    ).toBe("hi x");
  });

  it("renders values typed by users as data, never as template code", () => {
    const typed =
      "${{ parameters.name }} {% for x in range(10) %}x{% endfor %} {# c #} <%= it %> <% throw 1 %>";
    expect(renderTemplate("${{ value }}", { value: typed })).toBe(typed);
    expect(renderValue({ a: "${{ value }}", b: "x ${{ value }}" }, { value: typed })).toEqual({
      a: typed,
      b: `x ${typed}`,
    });
  });

  it("keeps template text out of the generated code: eta and JavaScript syntax in text and strings is data", () => {
    const sources = [
      '<%= it %><% throw new Error("x") %>%><%',
      '${{ "\\"); throw new Error(1); (\\"" }}',
      "${{ '%>' }}<%~ r %>${{ '<%' }}",
      "${{ '\\u2028\\u2029' }}\u2028\u2029",
      "${{ `tick` }}",
      "${{ a/*b*/ }}",
      "${{ x | replace(r/%>/g, '<%') }}",
    ];
    for (const source of sources) {
      const output = renderSafely(source, { x: "%>" });
      expect(output).not.toMatch(/error: .*(eta|SyntaxError|Unexpected)/i);
    }
    expect(renderTemplate('<%= it %><% throw new Error("x") %>%><%', {})).toBe(
      '<%= it %><% throw new Error("x") %>%><%',
    );
    expect(renderTemplate('${{ "\\"); throw new Error(1); (\\"" }}', {})).toBe('"); throw new Error(1); ("');
    expect(renderTemplate("a\r\nb\u2028c", {})).toBe("a\r\nb\u2028c");
  });

  it("rejects names that would not be names", () => {
    expect(() => renderTemplate('${{ a"b }}', {})).toThrow(/is not a valid name/);
    expect(() => renderTemplate("${{ a\\b }}", {})).toThrow(/is not a valid name/);
  });
});

describe("renders are bounded", () => {
  const bounded: Array<[string, string]> = [
    ["a loop over a huge range", "{% for i in range(100000000) %}x{% endfor %}"],
    [
      "nested loops that multiply",
      "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}x{% endfor %}{% endfor %}{% endfor %}",
    ],
    [
      "a string doubled in a loop",
      "{% set s = 'xx' %}{% for i in range(40) %}{% set s = s ~ s %}{% endfor %}${{ s | length }}",
    ],
    [
      "output multiplied by loops",
      "{% for a in range(900) %}{% for b in range(900) %}${{ text }}{% endfor %}{% endfor %}",
    ],
    ["a string method that grows text", "${{ 'x'.repeat(1000000000) }}"],
    ["padStart to a huge width", "${{ 'x'.padStart(1000000000) }}"],
    ["center with a huge width", "${{ 'x' | center(1000000000) }}"],
    ["indent with a huge width", "${{ 'x\\ny' | indent(1000000000) }}"],
    ["batch filling a huge row", "${{ [1] | batch(100000000, 'z') | length }}"],
    ["an object that claims a huge length", "{% for x in fake %}{% endfor %}"],
    ["replace with an empty search on long text", "${{ text | replace('', text) | length }}"],
  ];

  it.each(bounded)("stops %s with a limit error", (_name, source) => {
    const text = "y".repeat(100_000);
    expect(() => renderTemplate(source, { text, fake: { length: 1e12 } }, { file: "big.txt" })).toThrow(
      TemplateLimitError,
    );
  });

  it("refuses templates nested deeper than the stack instead of crashing", () => {
    const parens = `\${{ ${"(".repeat(20_000)}1${")".repeat(20_000)} }}`;
    const blocks = `${"{% if true %}".repeat(20_000)}x${"{% endif %}".repeat(20_000)}`;
    for (const source of [parens, blocks]) {
      expect(() => renderTemplate(source, {})).toThrow(/nests blocks or parentheses too deeply/);
      expect(() => renderValue(source, {})).toThrow(/nests blocks or parentheses too deeply/);
    }
    expect(renderTemplate(`${"{% if true %}".repeat(100)}x${"{% endif %}".repeat(100)}`, {})).toBe("x");
  });

  it("stops a Jinja slice with a zero step", () => {
    expect(() => renderTemplate("{{ s[::0] }}", { s: "abc" }, { cookiecutterCompat: true })).toThrow(
      TemplateLimitError,
    );
  });

  it("names the limit and where it was reached", () => {
    expect(() =>
      renderTemplate("line\n{% for i in range(50) %}x{% endfor %}", {}, { file: "f.txt", maxIterations: 10 }),
    ).toThrow(/^f\.txt:2:\d+: the template ran more than 10 loop iterations \(maxIterations\)/);
    expect(() => renderTemplate("${{ text }}", { text: "x".repeat(100) }, { maxOutputLength: 50 })).toThrow(
      /wrote more than 50 characters \(maxOutputLength\)/,
    );
  });

  it("lets renders within the caps through", () => {
    expect(renderTemplate("{% for i in range(10) %}${{ i }}{% endfor %}", {}, { maxIterations: 20 })).toBe(
      "0123456789",
    );
  });
});
