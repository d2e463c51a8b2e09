import { describe, expect, it } from "vitest";
import type { Entity } from "../../catalog/model/entity.ts";
import type { ChatUser } from "../../plugins/api.ts";
import { catalogPicker, matchesAnyFilter, type PickerCatalog } from "./catalog-picker.ts";

function entity(
  kind: string,
  name: string,
  extra: Partial<Entity> & { title?: string } = {},
): [string, Entity] {
  const { title, ...rest } = extra;
  return [
    `${kind.toLowerCase()}:default/${name}`,
    { apiVersion: "backstage.io/v1alpha1", kind, metadata: { name, ...(title ? { title } : {}) }, ...rest },
  ];
}

const entities = new Map<string, Entity>([
  entity("Group", "team-payments", { title: "Payments Team", spec: { type: "team" } }),
  entity("Group", "payments-guild", { spec: { type: "guild" } }),
  entity("System", "payments", { metadata: { name: "payments", tags: ["pci", "core"] } } as Partial<Entity>),
  entity("Component", "payments-api", {
    spec: { type: "service", lifecycle: "production" },
    relations: [{ type: "ownedBy", targetRef: "group:default/team-payments" }],
  }),
  entity("Component", "payments-web", { spec: { type: "website" } }),
]);

const catalog: PickerCatalog = {
  async search(query, kinds) {
    return [...entities.keys()].filter(
      (ref) => ref.includes(query.toLowerCase()) && (!kinds || kinds.includes(ref.split(":")[0]!)),
    );
  },
  entity: (ref) => entities.get(ref),
  groupsOf: (user) => (user === "user:default/jane" ? ["group:default/team-payments"] : []),
  ownedBy: (owners) =>
    owners.includes("group:default/team-payments") ? ["component:default/payments-api"] : [],
};

const jane: ChatUser = { surface: "slack", id: "U1", catalogRef: "user:default/jane" };
const stranger: ChatUser = { surface: "slack", id: "U2" };
const picker = catalogPicker(catalog);
const values = (found: Array<{ value: string }>) => found.map((o) => o.value);

describe("template pickers over the catalog", () => {
  it("offers what matches the typed text and any one of the field's catalogFilter entries", async () => {
    const services = await picker.options(
      "payments",
      { picker: { catalogFilter: [{ kind: "Component", "spec.type": "service" }] } },
      jane,
    );
    expect(values(services)).toEqual(["component:default/payments-api"]);
    const either = await picker.options(
      "payments",
      { picker: { catalogFilter: [{ kind: "system" }, { kind: "group", "spec.type": ["TEAM"] }] } },
      jane,
    );
    expect(values(either).sort()).toEqual(["group:default/team-payments", "system:default/payments"]);
    const tagged = await picker.options(
      "payments",
      { picker: { catalogFilter: [{ "metadata.tags": "pci" }] } },
      jane,
    );
    expect(values(tagged)).toEqual(["system:default/payments"]);
    const owned = await picker.options(
      "payments",
      { picker: { catalogFilter: [{ "relations.ownedby": "group:default/team-payments" }] } },
      jane,
    );
    expect(values(owned)).toEqual(["component:default/payments-api"]);
  });

  it("honours exists, and shows refs without the field's default kind and namespace", async () => {
    const withLifecycle = await picker.options(
      "payments",
      { picker: { catalogFilter: [{ "spec.lifecycle": { exists: true } }], defaultKind: "Component" } },
      jane,
    );
    expect(withLifecycle).toEqual([
      { value: "component:default/payments-api", label: "payments-api", description: "Component" },
    ]);
    const without = await picker.options(
      "payments-",
      { picker: { catalogFilter: [{ kind: "component", "spec.lifecycle": { exists: false } }] } },
      jane,
    );
    expect(values(without)).toEqual(["component:default/payments-web"]);
    const groups = await picker.options("team", { kinds: ["group"] }, jane);
    expect(groups[0]).toEqual({
      value: "group:default/team-payments",
      label: "Payments Team (group:team-payments)",
      description: "Group",
    });
  });

  it("MyGroupsPicker and OwnedEntityPicker use the person's catalog identity; a stranger gets none", async () => {
    expect(values(await picker.options("", { picker: { scope: "myGroups" } }, jane))).toEqual([
      "group:default/team-payments",
    ]);
    expect(values(await picker.options("web", { picker: { scope: "owned" } }, jane))).toEqual([]);
    expect(values(await picker.options("api", { picker: { scope: "owned" } }, jane))).toEqual([
      "component:default/payments-api",
    ]);
    expect(await picker.options("", { picker: { scope: "myGroups" } }, stranger)).toEqual([]);
  });

  it("takes hostile filters without throwing", () => {
    const [, api] = entity("Component", "x", {
      spec: { deep: { a: { b: { c: { d: { e: { f: { g: "z" } } } } } } } },
    });
    expect(matchesAnyFilter(api, [JSON.parse('{"__proto__": "x"}') as never])).toBe(false);
    expect(matchesAnyFilter(api, [{ constructor: "Object" }])).toBe(false);
    expect(matchesAnyFilter(api, [{ "spec.deep.a.b.c.d.e.f.g": "z" }])).toBe(false);
    expect(matchesAnyFilter(api, [{ kind: [] }])).toBe(false);
    expect(matchesAnyFilter(api, [])).toBe(true);
  });
});
