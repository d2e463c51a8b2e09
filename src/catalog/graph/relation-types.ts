/** Backstage's built-in relation types, as derived from spec fields in both directions. */
export const RELATION = {
  ownedBy: "ownedBy",
  ownerOf: "ownerOf",
  partOf: "partOf",
  hasPart: "hasPart",
  dependsOn: "dependsOn",
  dependencyOf: "dependencyOf",
  providesApi: "providesApi",
  apiProvidedBy: "apiProvidedBy",
  consumesApi: "consumesApi",
  apiConsumedBy: "apiConsumedBy",
  memberOf: "memberOf",
  hasMember: "hasMember",
  childOf: "childOf",
  parentOf: "parentOf",
} as const;
