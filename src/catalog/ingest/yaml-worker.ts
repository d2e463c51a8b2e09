/** Worker thread body: parses descriptor YAML and checks its entities off the main thread (see yaml-pool.ts). */
import { parentPort } from "node:worker_threads";
import { checkEntity } from "./check-entity.ts";
import { parsePlainDocuments, type PlainDocument } from "./descriptor-yaml.ts";
import { containsPlaceholder } from "./placeholders.ts";

export interface ParseRequest {
  id: number;
  text: string;
  maxAliases: number;
  /** Where the file is and the root location it was reached from, for the location annotations. */
  location: string;
  origin: string;
}

/** The documents, or the message of what went wrong (see yaml-pool.ts). */
export interface ParseReply {
  id: number;
  docs?: PlainDocument[];
  error?: string;
}

function parseAndCheck(request: ParseRequest): PlainDocument[] {
  const docs = parsePlainDocuments(request.text, request);
  for (const doc of docs) {
    if (!doc.ok || !isMapping(doc.value) || containsPlaceholder(doc.value)) continue;
    // checkEntity annotates the value in place: `value` and `checked.entity` stay one object across
    // the thread boundary (structured clone keeps shared references), so it is copied once.
    doc.checked = checkEntity(doc.value, request.location, request.origin);
  }
  return docs;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

parentPort?.on("message", (request: ParseRequest) => {
  try {
    parentPort!.postMessage({ id: request.id, docs: parseAndCheck(request) } satisfies ParseReply);
  } catch (error) {
    parentPort!.postMessage({ id: request.id, error: (error as Error).message } satisfies ParseReply);
  }
});
