// Worker threads on Node 20 ignore --import hooks for their entry module, so this plain-JS entry
// registers tsx itself and then loads the TypeScript worker (as index-writer-worker.mjs does).
import { register } from "tsx/esm/api";

register();
await import("./index-merge-worker.ts");
