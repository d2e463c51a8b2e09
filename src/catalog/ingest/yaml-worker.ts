/** Worker thread body: parses descriptor YAML off the main thread (see yaml-pool.ts for why). */
import { parentPort } from "node:worker_threads";
import { parsePlainDocuments } from "./descriptor-yaml.ts";

export interface ParseRequest {
  id: number;
  text: string;
  maxAliases: number;
}

parentPort?.on("message", (request: ParseRequest) => {
  try {
    parentPort!.postMessage({ id: request.id, docs: parsePlainDocuments(request.text, request) });
  } catch (error) {
    parentPort!.postMessage({ id: request.id, error: (error as Error).message });
  }
});
