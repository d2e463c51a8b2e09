import { describe, expect, it } from "vitest";
import { referenceRender } from "../../../test/fixtures/scaffold-templates/nunjucks-reference.ts";
import { TemplateRenderError, TemplateSyntaxError, renderTemplate } from "./index.ts";

/** Broken templates: nunjucks rejects each one too, and ours says where (file:line:column) and what was expected. */
const SYNTAX_ERRORS: Array<[source: string, message: string]> = [
  [
    "${{ parameters.name",
    'f.yaml:1:20: expected "}}" to close the expression, found the end of the template',
  ],
  ["${{ parameters.name }", 'f.yaml:1:21: expected "}}" to close the expression, found "}"'],
  ["${{ }}", 'f.yaml:1:5: expected an expression, found "}}"'],
  ["${{ a b }}", 'f.yaml:1:7: expected "}}" to close the expression, found name "b"'],
  ["${{ a | }}", 'f.yaml:1:9: expected a filter name, found "}}"'],
  ["${{ a.1 }}", "f.yaml:1:7: expected a name after the dot, found number 1"],
  ["${{ a[] }}", 'f.yaml:1:7: expected an index between the brackets, found "]"'],
  ["${{ a[1, 2] }}", "f.yaml:1:8: invalid index: an index is one expression"],
  ["${{ (a }}", 'f.yaml:1:8: expected "," or ")", found "}}"'],
  ["${{ [1, 2 }}", 'f.yaml:1:11: expected "," or "]", found "}}"'],
  ["${{ {a 1} }}", 'f.yaml:1:8: expected ":" after the dict key, found number 1'],
  ["${{ {a.b: 1} }}", "f.yaml:1:6: a dict key must be a name or a string"],
  ["${{ f(a,) }}", 'f.yaml:1:9: expected an expression, found ")"'],
  ["${{ f(a b) }}", 'f.yaml:1:9: expected "," or ")" after an argument, found name "b"'],
  ["${{ a not b }}", 'f.yaml:1:11: expected "in" after "not", found name "b"'],
  ["${{ - -a }}", 'f.yaml:1:5: "--" is not an operator; write -(-x) to apply - twice'],
  ["${{ () }}", "f.yaml:1:5: empty parentheses: expected an expression inside"],
  ["${{ a %}", 'f.yaml:1:7: expected "}}" to close the expression, found "%}"'],
  [
    "{% if a %}no end",
    "f.yaml:1:17: the if tag opened at line 1 is not closed: expected {% elif %}, {% else %} or {% endif %}",
  ],
  ["{% if a %}x{% else %}y", "f.yaml:1:23: the if tag opened at line 1 is not closed: expected {% endif %}"],
  [
    "line\n{% for x in xs %}x",
    "f.yaml:2:19: the for tag opened at line 2 is not closed: expected {% endfor %}",
  ],
  ["{% for x xs %}{% endfor %}", 'f.yaml:1:10: expected "in" after the loop variable, found name "xs"'],
  ["{% for 1 in xs %}{% endfor %}", "f.yaml:1:8: expected a variable name for the loop"],
  ["{% endif %}", 'f.yaml:1:4: unknown tag "endif"'],
  [
    "{% if a %}{% endfor %}{% endif %}",
    'f.yaml:1:14: unknown tag "endfor"; expected one of elif, elseif, else, endif',
  ],
  [
    "{% include 'other.txt' %}",
    "f.yaml:1:4: the {% include %} tag is not supported: a scaffolder template renders on its own",
  ],
  ["{% set x 1 %}", 'f.yaml:1:10: expected "=" or "%}" in the set tag, found number 1'],
  ["{% set x %}abc", "f.yaml:1:15: the set tag opened at line 1 is not closed: expected {% endset %}"],
  ["{%  %}", 'f.yaml:1:5: expected a tag name after {%, found "%}"'],
  ["{% if %}{% endif %}", 'f.yaml:1:7: expected an expression, found "%}"'],
  ["text #} more", 'f.yaml:1:6: "#}" outside a comment; to keep it as text write ${{ "#}" }}'],
  ["{# unclosed comment", 'f.yaml:1:1: comment is not closed: expected "#}" before the end'],
  ["line1\nline2\n  ${{ x | default( }}", 'f.yaml:3:20: expected an expression, found "}}"'],
  ["${{ x is }}", 'f.yaml:1:10: expected an expression, found "}}"'],
  [
    "${{ 'unterminated }}",
    'f.yaml:1:21: expected "}}" to close the expression, found the end of the template',
  ],
  ["${{ x | replace(r/[/, '') }}", "f.yaml:1:17: invalid regular expression r/[/"],
];

const RENDER_ERRORS: Array<[source: string, context: Record<string, unknown>, message: string]> = [
  ["a\n  ${{ name | nosuch }}", { name: "x" }, 'f.yaml:2:14: unknown filter "nosuch"'],
  ["${{ name is nosuch }}", { name: "x" }, 'f.yaml:1:5: unknown test "nosuch"'],
  ["${{ nothing() }}", {}, "f.yaml:1:12: cannot call nothing: it is undefined"],
  ["${{ name() }}", { name: "x" }, "f.yaml:1:9: cannot call name: it is not a function"],
  ["${{ 1 in 2 }}", {}, 'f.yaml:1:1: cannot use "in" to look for 1 in number 2'],
  ["${{ missing | first }}", {}, "f.yaml:1:15: the first filter cannot read from undefined"],
  ["${{ missing | upper | trim }}", { missing: 4 }, "f.yaml:1:15: "],
  ["${{ [1, 1] | unique }}", {}, 'f.yaml:1:14: unknown filter "unique"'],
  [
    "${{ url | parseRepoUrl }}",
    { url: "git.internal.example?owner=a&repo=b" },
    "no SCM integration is configured for host git.internal.example",
  ],
  [
    "${{ url | projectSlug }}",
    { url: "github.com?repo=b" },
    "parseRepoUrl: https://github.com/?repo=b is missing owner",
  ],
  ["${{ ref | parseEntityRef }}", { ref: "nokind" }, 'parseEntityRef: Entity reference "nokind" has no kind'],
];

describe("syntax errors", () => {
  it.each(SYNTAX_ERRORS)("%j", (source, message) => {
    expect(referenceRender(source, {}).ok).toBe(false);
    let error: unknown;
    try {
      renderTemplate(source, {}, { file: "f.yaml" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TemplateSyntaxError);
    expect((error as Error).message.startsWith(message)).toBe(true);
    const [, line, column] = /^f\.yaml:(\d+):(\d+):/.exec(message)!;
    expect((error as TemplateSyntaxError).line).toBe(Number(line));
    expect((error as TemplateSyntaxError).column).toBe(Number(column));
    expect((error as TemplateSyntaxError).file).toBe("f.yaml");
  });
});

describe("render errors", () => {
  it.each(RENDER_ERRORS)("%j", (source, context, message) => {
    expect(referenceRender(source, context).ok).toBe(false);
    expect(() => renderTemplate(source, context, { file: "f.yaml" })).toThrow(TemplateRenderError);
    expect(() => renderTemplate(source, context, { file: "f.yaml" })).toThrow(message);
  });

  it("does not check filters in branches that do not run, as nunjucks does not", () => {
    expect(renderTemplate("{% if false %}${{ x | nosuch }}{% endif %}ok", {})).toBe("ok");
  });
});
