/** The graph speaks the model's relation names; re-exported so graph code imports one place. */
export { RELATION } from "../model/relations.ts";
