/** Runs the project's Prisma CLI offline, with the DATABASE_URL each schema's `url = env(...)` needs. */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";

export type Provider = "sqlite" | "postgresql";

// A missing or mismatched URL makes the CLI fall back to downloading a query engine, which fails offline.
// `generate` never connects. `migrate diff` between two datamodels reads no data, but the CLI's JS engine
// still opens its driver adapter (measured with Prisma 6.19), so the PostgreSQL diff needs a server that
// answers: CALLBOARD_PG_URL, or the local one.
const placeholderUrl: Record<Provider, string> = {
  sqlite: "file:./data/callboard.db",
  postgresql: process.env.CALLBOARD_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
};

const prismaBin = createRequire(import.meta.url).resolve("prisma/build/index.js");

export function runPrisma(provider: Provider, args: string[]): string {
  return execFileSync(process.execPath, [prismaBin, ...args], {
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: placeholderUrl[provider] },
    stdio: ["ignore", "pipe", "inherit"],
  });
}
