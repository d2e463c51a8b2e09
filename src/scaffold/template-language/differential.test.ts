import { describe, expect, it } from "vitest";
import {
  COMPAT_EXPRESSIONS,
  COMPAT_TEMPLATES,
  CORPUS_CONTEXT,
  CorpusGenerator,
  seededRandom,
} from "../../../test/fixtures/scaffold-templates/corpus.ts";
import {
  referenceRender,
  referenceRenderValue,
  type Outcome,
  type ReferenceOptions,
} from "../../../test/fixtures/scaffold-templates/nunjucks-reference.ts";
import {
  SKELETON,
  SKELETON_VALUES,
  TEMPLATE_CONTEXT,
  TEMPLATE_STEPS,
} from "../../../test/fixtures/scaffold-templates/skeleton.ts";
import { renderTemplate, renderValue } from "./index.ts";

/**
 * The same inputs through nunjucks (configured as Backstage configures it) and through this module: the
 * outputs must be identical, and where nunjucks fails this must fail too.
 */

/** Frozen, so a render that tried to change its context fails here instead of changing later renders. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

const frozen = new WeakMap<object, Record<string, unknown>>();

function ours(source: string, context: Record<string, unknown>, options: ReferenceOptions = {}): Outcome {
  let copy = frozen.get(context);
  if (!copy) frozen.set(context, (copy = deepFreeze(structuredClone(context))));
  try {
    return { ok: true, value: renderTemplate(source, copy, options) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

interface Mismatch {
  source: string;
  options: ReferenceOptions;
  nunjucks: Outcome;
  ours: Outcome;
}

function compare(
  sources: Array<{ source: string; options?: ReferenceOptions }>,
  context: Record<string, unknown>,
) {
  const mismatches: Mismatch[] = [];
  let rendered = 0;
  for (const { source, options = {} } of sources) {
    const expected = referenceRender(source, context, options);
    const actual = ours(source, context, options);
    if (expected.ok) rendered++;
    const same = expected.ok ? actual.ok && actual.value === expected.value : !actual.ok;
    if (!same) mismatches.push({ source, options, nunjucks: expected, ours: actual });
  }
  return { mismatches, rendered };
}

describe("differential: nunjucks as Backstage configures it", () => {
  it("renders 4,000 generated expressions identically", () => {
    const generator = new CorpusGenerator(seededRandom(20261206));
    const sources = Array.from({ length: 4000 }, () => ({ source: `\${{ ${generator.expression(3)} }}` }));
    const { mismatches, rendered } = compare(sources, CORPUS_CONTEXT);
    expect(mismatches.slice(0, 5)).toEqual([]);
    // The corpus must mostly render, or it would only prove that both engines fail alike.
    expect(rendered).toBeGreaterThan(2800);
  });

  it("renders 2,000 generated skeleton files identically, with and without trimBlocks and lstripBlocks", () => {
    const sources = [7, 2].flatMap((seed) => {
      const generator = new CorpusGenerator(seededRandom(seed));
      return Array.from({ length: 1000 }, () => ({
        source: generator.template(3),
        options: { trimBlocks: generator.chance(0.4), lstripBlocks: generator.chance(0.4) },
      }));
    });
    const { mismatches, rendered } = compare(sources, CORPUS_CONTEXT);
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(rendered).toBeGreaterThan(1100);
  });

  it("renders Jinja-compatible (cookiecutter) templates identically", () => {
    const context = { ...CORPUS_CONTEXT, cookiecutter: { name: "svc", flag: true, items: [1, 2] } };
    const generator = new CorpusGenerator(seededRandom(99));
    const sources = [
      ...COMPAT_EXPRESSIONS.map((expression) => ({ source: `{{ ${expression} }}` })),
      ...COMPAT_TEMPLATES.map((source) => ({ source })),
      ...Array.from({ length: 500 }, () => ({ source: generator.template(3, "{{") })),
    ].map(({ source }) => ({ source, options: { cookiecutterCompat: true } }));
    const { mismatches } = compare(sources, context);
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it("types template-YAML values as Backstage's workflow runner does", () => {
    const generator = new CorpusGenerator(seededRandom(31));
    const mismatches: unknown[] = [];
    let compared = 0;
    for (let i = 0; i < 2000; i++) {
      const value = generator.yamlValue();
      const expected = referenceRenderValue(value, CORPUS_CONTEXT);
      if (!expected.ok) continue; // Backstage swallows render errors; ours throw (tested in render-value.test.ts)
      compared++;
      let actual: unknown;
      try {
        actual = renderValue(value, CORPUS_CONTEXT);
      } catch (error) {
        actual = `threw ${(error as Error).message}`;
      }
      if (
        JSON.stringify(actual) !== JSON.stringify(expected.value) ||
        typeof actual !== typeof expected.value
      ) {
        mismatches.push({ value, backstage: expected.value, ours: actual });
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(compared).toBeGreaterThan(1500);
  });

  it("renders a hand-written skeleton's file names and contents identically", () => {
    const sources = Object.entries(SKELETON).flatMap(([path, contents]) => [
      { source: path },
      { source: contents },
    ]);
    const lstrip = sources.map(({ source }) => ({
      source,
      options: { trimBlocks: true, lstripBlocks: true },
    }));
    const { mismatches, rendered } = compare([...sources, ...lstrip], { values: SKELETON_VALUES });
    expect(mismatches).toEqual([]);
    expect(rendered).toBe(sources.length * 2);
    const readme = renderTemplate(SKELETON["README.md"]!, { values: SKELETON_VALUES });
    expect(readme).toContain("# Payments Api");
    expect(readme).toContain("| Ann Example | <ann@example.com> | yes |");
    expect(
      renderTemplate("{% if values.includeDocs %}docs-extra{% endif %}/guide.md", {
        values: SKELETON_VALUES,
      }),
    ).toBe("/guide.md");
  });

  it("renders a hand-written template's step inputs and output as Backstage's workflow runner does", () => {
    const reference = (value: unknown): unknown => {
      if (typeof value === "string") {
        const outcome = referenceRenderValue(value, TEMPLATE_CONTEXT);
        if (!outcome.ok) throw new Error(`nunjucks failed on ${value}`);
        return outcome.value;
      }
      if (Array.isArray(value)) return value.map(reference);
      if (value && typeof value === "object") {
        const entries = Object.entries(value).map(([key, item]) => [key, reference(item)] as const);
        return Object.fromEntries(entries.filter(([, item]) => item !== undefined));
      }
      return value;
    };
    const expected = reference(TEMPLATE_STEPS);
    expect(renderValue(TEMPLATE_STEPS, TEMPLATE_CONTEXT)).toEqual(expected);
    expect(expected).toMatchObject({
      steps: [
        {
          input: { values: { port: 8080, replicas: 3, includeHelm: true, features: ["metrics", "tracing"] } },
        },
        {
          if: true,
          input: {
            defaultBranch: "main",
            repoVisibility: "private",
            collaborators: [{ team: "payments-team" }],
          },
        },
        { input: { optional: true } },
        { input: { message: "Feature 0: METRICS", count: 2 } },
      ],
    });
  });
});
