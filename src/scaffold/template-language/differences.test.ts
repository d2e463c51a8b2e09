import { describe, expect, it } from "vitest";
import {
  referenceRender,
  referenceRenderValue,
} from "../../../test/fixtures/scaffold-templates/nunjucks-reference.ts";
import { TemplateRenderError, TemplateSyntaxError, renderTemplate, renderValue } from "./index.ts";

/**
 * Where this module deliberately differs from nunjucks as Backstage runs it. Each case shows what nunjucks
 * does and what happens here, so a change on either side is noticed. The reasons are in the comments of
 * safe-access.ts (members), text-filters.ts (SafeString), collection-filters.ts (attributes),
 * jinja-compat.ts (mutating methods), render-value.ts (typed values) and parser.ts (tags).
 */

const context = { x: "a", o: { a: 1 }, list: [1], objs: [{ n: 1 }], fn: () => "called" };

function both(source: string, options: { cookiecutterCompat?: boolean } = {}) {
  const nunjucks = referenceRender(source, { ...context, fn: undefined }, options);
  let ours: string;
  try {
    ours = renderTemplate(source, context, options);
  } catch (error) {
    ours = `${(error as Error).name}: ${(error as Error).message}`;
  }
  return { nunjucks: nunjucks.ok ? nunjucks.value : `error: ${nunjucks.error}`, ours };
}

describe("deliberate differences from nunjucks", () => {
  it("safe and escape return strings, not SafeString objects that leak into dump and typed values", () => {
    expect(both("${{ x | safe | dump }}")).toEqual({ nunjucks: '{"val":"a","length":1}', ours: '"a"' });
    expect(referenceRenderValue("${{ x | safe }}", { x: "7" })).toEqual({
      ok: true,
      value: { val: "7", length: 1 },
    });
    expect(renderValue("${{ x | safe }}", { x: "7" })).toBe("7");
  });

  it("members are own properties and allowed methods, never the prototype's", () => {
    expect(both("${{ o.toString() }}").nunjucks).toBe("[object Object]");
    expect(both("${{ o.toString() }}").ours).toMatch(
      /^TemplateRenderError: .*cannot call o\["toString"\]: it is undefined/,
    );
    expect(both("${{ 'toString' in o }}")).toEqual({ nunjucks: "true", ours: "false" });
    expect(both("${{ objs | join(',', 'constructor') }}")).toEqual({
      nunjucks: "function Object() { [native code] }",
      ours: "",
    });
  });

  it("a dict literal's __proto__ key is an ordinary key, not the prototype", () => {
    expect(both("{% set y = {'__proto__': {'p': 1} } %}${{ y.p }}")).toEqual({ nunjucks: "1", ours: "" });
  });

  it("functions in the context are data, not callable (Backstage passes JSON, which has none)", () => {
    expect(() => renderTemplate("${{ fn() }}", context)).toThrow(TemplateRenderError);
    expect(renderTemplate("[${{ fn }}]", context)).toBe("[]");
  });

  it("loop.index and friends go into a copy when `loop` was set to data, so the data is not changed", () => {
    expect(both("{% for x in [1, 2, 3] %}{% set loop = list %}{% endfor %}${{ list | length }}")).toEqual({
      nunjucks: "3",
      ours: "1",
    });
  });

  it("a test with two arguments is a syntax error, where nunjucks glues their source together", () => {
    expect(referenceRender("${{ 7 is divisibleby(1, 2) }}", {})).toEqual({ ok: true, value: "false" });
    expect(() => renderTemplate("${{ 7 is divisibleby(1, 2) }}", {})).toThrow(TemplateSyntaxError);
  });

  it("{% default %} right after {% switch %} is the default, not a case named default", () => {
    expect(both("{% switch x %}{% default %}d{% endswitch %}")).toEqual({ nunjucks: "", ours: "d" });
  });

  it("macro, call, include, import, extends and block are not supported", () => {
    expect(both("{% macro m(a) %}<${{ a }}>{% endmacro %}${{ m(1) }}").nunjucks).toBe("<1>");
    expect(() => renderTemplate("{% macro m(a) %}{% endmacro %}", {})).toThrow(
      /the \{% macro %\} tag is not supported/,
    );
  });

  it("in cookiecutter mode, slices are indexes only and Python's mutating methods change only the template's own lists", () => {
    expect(both("{{ [1:2] }}", { cookiecutterCompat: true }).nunjucks).toBe("1,2,1");
    expect(() => renderTemplate("{{ [1:2] }}", {}, { cookiecutterCompat: true })).toThrow(
      TemplateSyntaxError,
    );
    expect(both("{{ list.append(2) }}{{ list }}", { cookiecutterCompat: true }).nunjucks).toBe("21,2");
    expect(() => renderTemplate("{{ list.append(2) }}", context, { cookiecutterCompat: true })).toThrow(
      /did not build/,
    );
    expect(
      renderTemplate("{% set l = [1] %}{{ l.append(2) }}{{ l }}", {}, { cookiecutterCompat: true }),
    ).toBe("21,2");
    expect(context.list).toEqual([1]);
  });

  it("cookiecutter mode reads `cookiecutter` from `values` when the context has no `cookiecutter`", () => {
    expect(
      renderTemplate("{{ cookiecutter.name }}", { values: { name: "svc" } }, { cookiecutterCompat: true }),
    ).toBe("svc");
    expect(
      referenceRender("{{ cookiecutter.name }}", { values: { name: "svc" } }, { cookiecutterCompat: true }),
    ).toEqual({ ok: true, value: "" });
  });

  it("template-YAML values: a failing render throws instead of leaving the text, and trimmed or multi-line expressions keep their type", () => {
    expect(referenceRenderValue("${{ x | nosuch }}", { x: "7" })).toEqual({ ok: false });
    expect(() => renderValue("${{ x | nosuch }}", { x: "7" })).toThrow(TemplateRenderError);
    expect(referenceRenderValue("${{- x }}", { x: "7" })).toEqual({ ok: true, value: -7 });
    expect(renderValue("${{- x }}", { x: "7" })).toBe("7");
    expect(referenceRenderValue("${{ x\n }}", { x: "7" })).toEqual({ ok: true, value: 7 });
    expect(renderValue("${{ x\n }}", { x: "7" })).toBe("7");
  });
});
