import { describe, expect, it } from "vitest";
import {
  blobUrl,
  githubLocationKey,
  parseGitHubLocationKey,
  parseGitHubWebUrl,
  repositoryOfKey,
} from "./locations.ts";

describe("GitHub location keys and URLs", () => {
  it("keys a file by host, owner and repository in lower case, and parses it back", () => {
    const key = githubLocationKey({
      host: "GitHub.com",
      owner: "Acme",
      repo: "Pay",
      path: "svc/catalog-info.yaml",
    });
    expect(key).toBe("github:github.com/acme/pay/svc/catalog-info.yaml");
    expect(parseGitHubLocationKey(key)).toEqual({
      host: "github.com",
      owner: "acme",
      repo: "pay",
      path: "svc/catalog-info.yaml",
    });
    expect(repositoryOfKey(key)).toBe("acme/pay");
  });

  it.each([
    "file:/etc/passwd",
    "github:",
    "github:github.com/acme",
    "github:github.com/acme/pay",
    "github:github.com/acme/pay/../../x",
    "github:github.com/acme/pay/a//b",
  ])("is not fooled by %s", (key) => {
    expect(parseGitHubLocationKey(key)).toBeUndefined();
  });

  it("reads repository, file and folder URLs of the configured GitHub only", () => {
    const web = "https://ghe.example.com";
    expect(parseGitHubWebUrl("https://ghe.example.com/acme/pay.git", web)).toEqual({
      host: "ghe.example.com",
      owner: "acme",
      repo: "pay",
      rest: [],
    });
    expect(parseGitHubWebUrl("https://ghe.example.com/acme/pay/blob/main/a/b.yaml", web)).toMatchObject({
      kind: "blob",
      rest: ["main", "a", "b.yaml"],
    });
    expect(parseGitHubWebUrl("https://github.com/acme/pay", web)).toEqual({
      error: "github.com is not the configured GitHub (ghe.example.com)",
    });
    expect(parseGitHubWebUrl("not a url", web)).toMatchObject({ error: expect.stringMatching(/not a URL/) });
    expect(parseGitHubWebUrl("https://ghe.example.com/acme", web)).toMatchObject({
      error: expect.any(String),
    });
    expect(parseGitHubWebUrl("https://ghe.example.com/acme/pay/issues/1", web)).toMatchObject({
      error: expect.stringMatching(/neither a file/),
    });
    expect(parseGitHubWebUrl("https://ghe.example.com/acme/pay/blob", web)).toMatchObject({
      error: expect.stringMatching(/names no branch/),
    });
    expect(parseGitHubWebUrl("https://ghe.example.com/acme/pay/blob/main/..%2Fsecret", web)).toMatchObject({
      error: expect.stringMatching(/not a plain path/),
    });
  });

  it("answers a malformed %-escape with an error, not an exception", () => {
    expect(
      parseGitHubWebUrl("https://github.com/acme/pay/blob/main/%E0%A4%A", "https://github.com"),
    ).toMatchObject({
      error: expect.stringMatching(/malformed/),
    });
  });

  it("encodes each path segment and the branch of a blob URL", () => {
    expect(blobUrl("https://github.com", "acme", "pay", "release/1", "my docs/a#b.yaml")).toBe(
      "https://github.com/acme/pay/blob/release%2F1/my%20docs/a%23b.yaml",
    );
  });
});
