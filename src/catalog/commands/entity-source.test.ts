import { describe, expect, it } from "vitest";
import type { Entity } from "../model/entity.ts";
import { definedInMarkdown, repositoryLink } from "./entity-source.ts";

const withAnnotations = (annotations: Record<string, string>): Entity => ({
  apiVersion: "backstage.io/v1alpha1",
  kind: "Component",
  metadata: { name: "x", annotations },
});
const fromFile = (file: string, origin: string) =>
  withAnnotations({
    "backstage.io/managed-by-location": `file:${file}`,
    "backstage.io/managed-by-origin-location": `file:${origin}`,
  });

describe("definedInMarkdown", () => {
  it("names a local file relative to the imported folder, whether a file, a folder scan or a sub-folder", () => {
    const position = (file: string) => ({ location: `file:${file}`, line: 7 });
    expect(
      definedInMarkdown(
        fromFile("/srv/cat/teams/a.yaml", "/srv/cat/catalog-info.yaml"),
        position("/srv/cat/teams/a.yaml"),
      ),
    ).toBe("`teams/a.yaml:7`");
    expect(
      definedInMarkdown(
        fromFile("/srv/cat/svc/catalog-info.yaml", "/srv/cat/**/catalog-info.y?(a)ml"),
        position("/srv/cat/svc/catalog-info.yaml"),
      ),
    ).toBe("`svc/catalog-info.yaml:7`");
  });

  it("names only the file when it lies outside the imported folder (an extra local root) or nothing says where that is", () => {
    expect(
      definedInMarkdown(fromFile("/opt/shared/specs.yaml", "/srv/cat/catalog-info.yaml"), undefined),
    ).toBe("`specs.yaml`");
    expect(definedInMarkdown(withAnnotations({}), { location: "file:/srv/cat/a.yaml", line: 2 })).toBe(
      "`a.yaml:2`",
    );
  });

  it("links a descriptor read from a URL", () => {
    expect(
      definedInMarkdown(withAnnotations({}), {
        location: "url:https://git.example.com/org/raw/catalog-info.yaml",
        line: 3,
      }),
    ).toBe("[catalog-info.yaml:3](https://git.example.com/org/raw/catalog-info.yaml)");
  });
});

describe("repositoryLink", () => {
  it("takes backstage.io/source-location when it is a URL, else github.com/project-slug", () => {
    expect(
      repositoryLink(withAnnotations({ "backstage.io/source-location": "url:https://github.com/acme/a/" })),
    ).toEqual({
      title: "Repository",
      url: "https://github.com/acme/a/",
    });
    expect(repositoryLink(withAnnotations({ "github.com/project-slug": "acme/b" }))).toEqual({
      title: "Repository",
      url: "https://github.com/acme/b",
    });
    // A local source location is a server path: not shown.
    expect(
      repositoryLink(withAnnotations({ "backstage.io/source-location": "file:/srv/checkouts/c" })),
    ).toBeUndefined();
  });
});
