import { describe, expect, it } from "vitest";
import {
  TemplateRenderError,
  TemplateSyntaxError,
  addFilter,
  clearTemplateCache,
  compileTemplate,
  createBackstageFilters,
  precompileTemplates,
  isTruthy,
  renderTemplate,
  renderValue,
} from "./index.ts";

const context = {
  parameters: {
    name: "payments-api",
    owner: "group:default/payments",
    replicas: 3,
    enabled: true,
    tags: ["java", "kafka"],
    "with-dash": "dashed",
    nested: { port: 8080, labels: { tier: "backend" } },
  },
  steps: { "fetch-base": { output: { remoteUrl: "https://example.com/x" } } },
};

describe("renderTemplate", () => {
  it("reads parameters, members, indexes and dashed keys", () => {
    expect(renderTemplate("${{ parameters.name }}", context)).toBe("payments-api");
    expect(renderTemplate("${{ parameters.nested.labels.tier }}", context)).toBe("backend");
    expect(renderTemplate("${{ parameters['with-dash'] }}/${{ parameters.tags[1] }}", context)).toBe(
      "dashed/kafka",
    );
    expect(renderTemplate("${{ steps['fetch-base'].output.remoteUrl }}", context)).toBe(
      "https://example.com/x",
    );
    expect(renderTemplate("[${{ parameters.missing }}][${{ parameters.missing.deeper }}]", context)).toBe(
      "[][]",
    );
  });

  it("applies filters with arguments", () => {
    expect(renderTemplate("${{ parameters.name | replace('-', '_') | upper }}", context)).toBe(
      "PAYMENTS_API",
    );
    expect(renderTemplate("${{ parameters.missing | default('none') }}", context)).toBe("none");
    expect(renderTemplate("${{ parameters.nested | dump }}", context)).toBe(
      '{"port":8080,"labels":{"tier":"backend"}}',
    );
    expect(renderTemplate("${{ parameters.tags | join(', ') }}", context)).toBe("java, kafka");
    expect(renderTemplate("${{ parameters.owner | parseEntityRef | pick('name') }}", context)).toBe(
      "payments",
    );
  });

  it("calls the string, list and number methods templates use, and no others", () => {
    expect(renderTemplate("${{ 'acme/payments'.split('/')[1] }}", {})).toBe("payments");
    expect(renderTemplate("${{ parameters.name.replace('-', '_').toUpperCase() }}", context)).toBe(
      "PAYMENTS_API",
    );
    expect(
      renderTemplate(
        "${{ parameters.name.startsWith('pay') }} ${{ parameters.tags.includes('java') }}",
        context,
      ),
    ).toBe("true true");
    expect(
      renderTemplate(
        "${{ parameters.tags.join('+') }} ${{ (2.5).toFixed(2) }} ${{ parameters.name.length }}",
        context,
      ),
    ).toBe("java+kafka 2.50 12");
    expect(() => renderTemplate("${{ parameters.tags.push('x') }}", context)).toThrow(
      /cannot call parameters\["tags"\]\["push"\]/,
    );
  });

  it("parses repository URLs for the hosts the engine knows", () => {
    const filters = createBackstageFilters({
      hostType: (host) => (host === "git.internal.example" ? "gitlab" : undefined),
    });
    const source = "${{ url | parseRepoUrl | dump }} ${{ url | projectSlug }}";
    expect(renderTemplate(source, { url: "git.internal.example?owner=a&repo=b" }, { filters })).toBe(
      '{"host":"git.internal.example","owner":"a","repo":"b"} a/b',
    );
    expect(
      renderTemplate(
        "${{ ref | parseEntityRef({ defaultKind: 'group', defaultNamespace: 'ops' }) | dump }}",
        { ref: "team-a" },
      ),
    ).toBe('{"kind":"group","namespace":"ops","name":"team-a"}');
  });

  it("runs blocks: if, for with loop variables and else, set", () => {
    const source =
      "{% for t in parameters.tags %}${{ loop.index }}.${{ t }}{% if not loop.last %}, {% endif %}{% else %}none{% endfor %}";
    expect(renderTemplate(source, context)).toBe("1.java, 2.kafka");
    expect(renderTemplate("{% for t in [] %}x{% else %}none{% endfor %}", context)).toBe("none");
    expect(renderTemplate("{% set n = parameters.replicas * 2 %}${{ n }}", context)).toBe("6");
    expect(
      renderTemplate(
        "{% if parameters.replicas > 5 %}big{% elif parameters.enabled %}on{% else %}off{% endif %}",
        context,
      ),
    ).toBe("on");
  });

  it("trims whitespace around tags marked with -", () => {
    expect(renderTemplate("a  {%- if true -%}  b  {%- endif -%}  c", {})).toBe("abc");
    expect(renderTemplate("a\n${{- 'b' -}}\nc", {})).toBe("abc");
  });

  it("reuses compiled templates", () => {
    const template = compileTemplate("Hi ${{ who }}");
    expect(template.render({ who: "a" })).toBe("Hi a");
    expect(template.render({ who: "b" })).toBe("Hi b");
  });

  it("precompiles a batch of templates that then render as they would alone", () => {
    clearTemplateCache();
    const sources = [
      "${{ parameters.name }}-{{ x }}",
      "plain text, no tags",
      "{% for t in parameters.tags %}${{ t }}{% endfor %}",
      "${{ broken",
    ];
    const alone = sources.map((source) => {
      try {
        return renderTemplate(source, context);
      } catch (error) {
        return (error as Error).message;
      }
    });
    clearTemplateCache();
    precompileTemplates(sources);
    expect(
      sources.map((source) => {
        try {
          return renderTemplate(source, context);
        } catch (error) {
          return (error as Error).message;
        }
      }),
    ).toEqual(alone);
    expect(alone.slice(0, 3)).toEqual(["payments-api-{{ x }}", "plain text, no tags", "javakafka"]);
    expect(alone[3]).toMatch(/^template:1:11: expected "}}"/);
  });

  it("renders text without tags as it is, but still rejects a stray comment end", () => {
    expect(renderTemplate("no tags here: $ % # }}", {})).toBe("no tags here: $ % # }}");
    expect(() => renderTemplate("bad #} here", {})).toThrow(TemplateSyntaxError);
  });

  it("renders a value typed by a user as text, never as template code", () => {
    expect(
      renderTemplate("${{ parameters.name }}", {
        parameters: { name: "${{ 7 * 7 }} {% if true %}x{% endif %}" },
      }),
    ).toBe("${{ 7 * 7 }} {% if true %}x{% endif %}");
  });

  it("accepts filters added by the engine and per render", () => {
    addFilter("shout", (value: unknown) => `${String(value)}!`);
    expect(renderTemplate("${{ 'hey' | shout }}", {})).toBe("hey!");
    expect(
      renderTemplate(
        "${{ 'hey' | whisper }}",
        {},
        { filters: { whisper: (value: unknown) => String(value).toLowerCase() } },
      ),
    ).toBe("hey");
  });

  it("names the file, line and column of a syntax error", () => {
    const render = () =>
      renderTemplate("line one\nvalue: ${{ parameters.name | }}", context, { file: "skeleton/README.md" });
    expect(render).toThrow(TemplateSyntaxError);
    expect(render).toThrow(/^skeleton\/README\.md:2:30: expected a filter name, found "}}"/);
  });

  it("names the place of an unknown filter", () => {
    const render = () => renderTemplate("\n  ${{ parameters.name | nosuch }}", context, { file: "x.txt" });
    expect(render).toThrow(TemplateRenderError);
    expect(render).toThrow('x.txt:2:25: unknown filter "nosuch"');
  });
});

describe("renderValue", () => {
  it("keeps the type of a single expression and renders mixed text to a string", () => {
    expect(
      renderValue(
        {
          replicas: "${{ parameters.replicas }}",
          enabled: "${{ parameters.enabled }}",
          tags: "${{ parameters.tags }}",
          nested: ["${{ parameters.nested }}"],
          text: "n=${{ parameters.replicas }}",
          gone: "${{ parameters.missing }}",
          plain: 5,
        },
        context,
      ),
    ).toEqual({
      replicas: 3,
      enabled: true,
      tags: ["java", "kafka"],
      nested: [{ port: 8080, labels: { tier: "backend" } }],
      text: "n=3",
      plain: 5,
    });
  });

  it("makes an empty render undefined", () => {
    expect(renderValue("", {})).toBeUndefined();
    expect(renderValue("{% if false %}x{% endif %}", {})).toBeUndefined();
  });
});

describe("isTruthy", () => {
  it("uses Backstage's falsy set", () => {
    for (const value of [false, undefined, null, "", 0, []]) expect(isTruthy(value)).toBe(false);
    for (const value of [true, "false", "0", 1, [0], {}]) expect(isTruthy(value)).toBe(true);
  });
});
