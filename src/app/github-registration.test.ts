import pino from "pino";
import { describe, expect, it } from "vitest";
import { GitHubClient } from "../github/github-client.ts";
import { githubFileReader } from "./github-registration.ts";

/** An Enterprise Server nobody answers at: deciding which URLs get the GitHub reader reads nothing. */
const client = new GitHubClient(
  { apiUrl: "http://git.acme.test/api/v3", host: "git.acme.test", token: "ghp_test" },
  { log: pino({ level: "silent" }) },
);
const reader = (target: string) => githubFileReader(client, target, 1024);

describe("which catalog URLs are read through GitHub's API", () => {
  it("takes a file page on the configured GitHub, as a URL or a stored url: key", () => {
    expect(reader("http://git.acme.test/acme/payments/blob/main/catalog-info.yaml")).toBeTypeOf("function");
    expect(reader("url:http://git.acme.test/acme/payments/blob/main/docs/catalog-info.yaml")).toBeTypeOf(
      "function",
    );
  });

  it("leaves everything else to the catalog's own reader (and its refusals)", () => {
    for (const target of [
      "https://github.com/acme/payments/blob/main/catalog-info.yaml",
      "http://git.acme.test.evil.example/acme/payments/blob/main/catalog-info.yaml",
      "http://git.acme.test/acme/payments/tree/main/docs",
      "http://git.acme.test/acme/payments/blob/main",
      "http://git.acme.test/acme/payments",
      "http://git.acme.test/acme/payments/blob/main/%2e%2e/secrets.yaml",
      "http://git.acme.test/acme/payments/blob/main/%E0%A4%A.yaml",
      "http://git.acme.test/acme/payments/raw/main/catalog-info.yaml",
      "file:/etc/passwd",
      "/srv/catalog/catalog-info.yaml",
      "github:git.acme.test/acme/payments/catalog-info.yaml",
      "",
      "x".repeat(100_000),
    ]) {
      expect(reader(target), target.slice(0, 80)).toBeUndefined();
    }
  });
});
