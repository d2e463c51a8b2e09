import type { Entity } from "../../catalog/model/entity.ts";
import { parseEntityRef, stringifyEntityRef } from "../../catalog/model/ref.ts";

/**
 * The groups whose members may run a template: `callboard.dev/run-groups: team-payments, group:ops/sre`
 * (group refs; a bare name is a Group in the template's namespace). Without it anyone may run the template,
 * as in Backstage without a permission policy.
 */
export const RUN_GROUPS_ANNOTATION = "callboard.dev/run-groups";

/** Who is asking: stored and audited as `id`; `userRef` is their catalog User when known. */
export interface TaskActor {
  /** A catalog User ref, or `<surface>:<id>` for someone without one (`cli:jane`, `slack:U123`). */
  id: string;
  userRef?: string;
}

/** The groups a catalog User belongs to, with the groups those belong to (a team's department counts). */
export interface GroupDirectory {
  groupsOf(userRef: string): string[];
}

export type Permission = { allowed: true } | { allowed: false; reason: string };

/**
 * Who may run which template, and who may see, cancel and retry a task: its creator and the configured
 * admins (CALLBOARD_ADMINS: User refs, or Group refs whose members are admins). A refusal says why.
 */
export class RunPermissions {
  private readonly admins: Set<string>;

  constructor(
    admins: string[],
    private readonly directory: GroupDirectory,
  ) {
    this.admins = new Set(admins.map((ref) => ref.toLowerCase()));
  }

  isAdmin(actor: TaskActor): boolean {
    if (this.admins.size === 0 || !actor.userRef) return false;
    const user = actor.userRef.toLowerCase();
    return this.admins.has(user) || this.directory.groupsOf(user).some((group) => this.admins.has(group));
  }

  mayRun(template: { ref: string; entity: Pick<Entity, "metadata"> }, actor: TaskActor): Permission {
    const annotation = template.entity.metadata.annotations?.[RUN_GROUPS_ANNOTATION];
    if (annotation === undefined || this.isAdmin(actor)) return { allowed: true };
    const allowed: string[] = [];
    for (const entry of annotation.split(/[\s,]+/).filter(Boolean)) {
      try {
        allowed.push(
          stringifyEntityRef(
            parseEntityRef(entry, {
              defaultKind: "group",
              defaultNamespace: template.entity.metadata.namespace ?? "default",
            }),
          ),
        );
      } catch {
        return {
          allowed: false,
          reason:
            `Template ${template.ref} cannot be run: its ${RUN_GROUPS_ANNOTATION} annotation names "${entry}", ` +
            "which is not a group. Its owners should fix the annotation; until then only admins may run it.",
        };
      }
    }
    const only = allowed.length === 0 ? "nobody but admins" : `members of ${allowed.join(", ")} only`;
    if (!actor.userRef) {
      return {
        allowed: false,
        reason:
          `Template ${template.ref} may be run by ${only}, and Callboard does not know which catalog User you ` +
          "are (your chat account matches none), so it cannot tell your groups.",
      };
    }
    const groups = this.directory.groupsOf(actor.userRef.toLowerCase());
    if (allowed.some((group) => groups.includes(group))) return { allowed: true };
    return {
      allowed: false,
      reason:
        `Template ${template.ref} may be run by ${only}; ${actor.userRef} is ` +
        (groups.length > 0 ? `in ${groups.join(", ")}.` : "in no group in the catalog.") +
        " Ask one of those groups to run it, or to add you.",
    };
  }

  /** Whether `actor` may see, cancel or retry a task `createdBy` started. */
  mayManage(task: { id: string; createdBy: string }, actor: TaskActor, verb: string): Permission {
    if (task.createdBy === actor.id || this.isAdmin(actor)) return { allowed: true };
    return {
      allowed: false,
      reason: `Task ${task.id} was started by ${task.createdBy}; only they and Callboard's admins may ${verb} it.`,
    };
  }
}

/** A catalog User's groups, and the groups above them, from the catalog's memberOf and childOf relations. */
export function transitiveGroups(
  direct: (userRef: string) => string[],
  parents: (groupRef: string) => string[],
  userRef: string,
): string[] {
  const seen = new Set<string>();
  const queue = [...direct(userRef)];
  while (queue.length > 0 && seen.size < 1000) {
    const group = queue.shift()!;
    if (seen.has(group)) continue;
    seen.add(group);
    queue.push(...parents(group));
  }
  return [...seen].sort();
}
