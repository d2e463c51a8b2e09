import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  postgresSchemaFrom,
  postgresSchemaPath,
  sqliteSchemaPath,
} from "../../prisma/generate-postgres-schema.ts";

describe("prisma/postgres/schema.prisma", () => {
  it("is exactly what prisma/schema.prisma generates (run `npm run db:schema` if this fails)", () => {
    const expected = postgresSchemaFrom(readFileSync(sqliteSchemaPath, "utf8"));
    expect(readFileSync(postgresSchemaPath, "utf8")).toBe(expected);
  });

  it("differs from the SQLite schema only in provider and client output", () => {
    const pg = postgresSchemaFrom(
      `// c\n\ngenerator client {\n  output = "../src/generated/prisma/sqlite"\n}\ndatasource db {\n  provider = "sqlite"\n}\nmodel A { id String @id }\n`,
    );
    expect(pg).toContain('provider = "postgresql"');
    expect(pg).toContain('output = "../../src/generated/prisma/postgresql"');
    expect(pg).toContain("model A { id String @id }");
    expect(() => postgresSchemaFrom("model A { id String @id }")).toThrow(
      /prisma\/schema.prisma: cannot find/,
    );
  });
});
