import { describe, expect, it } from "vitest";
import { renderTemplate } from "./template-language/index.ts";
import { scaffolderFilters } from "./scm-hosts.ts";

const render = (url: string) =>
  renderTemplate("${{ url | parseRepoUrl | dump }}", { url }, { filters: scaffolderFilters() });

describe("parseRepoUrl with Callboard's hosts", () => {
  it("knows the local publisher's host and the public ones", () => {
    expect(JSON.parse(render("local?owner=acme&repo=svc"))).toEqual({
      host: "local",
      owner: "acme",
      repo: "svc",
    });
    expect(JSON.parse(render("github.com?owner=acme&repo=svc"))).toMatchObject({ host: "github.com" });
  });

  it("does not take a host named like an object member for a known one", () => {
    expect(() => render("constructor?owner=a&repo=b")).toThrow(
      /no SCM integration is configured for host constructor/,
    );
    expect(() => render("git.internal?owner=a&repo=b")).toThrow(
      /no SCM integration is configured for host git\.internal/,
    );
  });
});
