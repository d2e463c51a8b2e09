import type {
  ClaimedTask,
  ClaimRequest,
  EndedTaskStatus,
  NewTask,
  StoredEvent,
  StoredStep,
  StoredTask,
  TaskListQuery,
  TaskStore,
} from "../state/scaffold-task-store.ts";
import { join, sql } from "../generated/prisma/sqlite/internal/prismaNamespace.ts";
import type { PrismaDb } from "./open-database.ts";

/** How many of the oldest claimable tasks one claim looks at. */
const CANDIDATES = 16;

type TaskRow = StoredTask & { claimToken: string | null; wakeRequestedAt?: Date | null };

/**
 * Scaffolder tasks in SQLite or PostgreSQL. Every write is one statement: a claim is a compare-and-swap on the
 * task's status (and, for an abandoned task, its stale heartbeat), so of several workers exactly one wins; a
 * running task's writes carry its claim token in their WHERE clause, so a worker that lost its claim changes
 * nothing. Single statements rather than updateMany/upsert, which Prisma wraps in a transaction: two SQLite
 * connections in one process (workers in tests) would then wait on each other's write lock until a timeout.
 */
export class PrismaTaskStore implements TaskStore {
  constructor(private readonly prisma: PrismaDb) {}

  async create(task: NewTask): Promise<void> {
    await this.prisma.$executeRaw`
      INSERT INTO "ScaffoldTask" ("id", "status", "templateRef", "title", "spec", "secrets", "createdBy",
        "createdAt", "updatedAt", "attempts")
      VALUES (${task.id}, 'open', ${task.templateRef}, ${task.title}, ${task.spec}, ${task.secrets},
        ${task.createdBy}, ${task.createdAt}, ${task.createdAt}, 0)`;
  }

  async get(id: string): Promise<StoredTask | undefined> {
    const row = await this.prisma.scaffoldTask.findUnique({ where: { id } });
    return row ? storedTask(row as TaskRow) : undefined;
  }

  async list(query: TaskListQuery): Promise<StoredTask[]> {
    const rows = await this.prisma.scaffoldTask.findMany({
      where: {
        ...(query.createdBy === undefined ? {} : { createdBy: query.createdBy }),
        ...(query.statuses ? { status: { in: query.statuses } } : {}),
        ...(query.idPrefix ? { id: { startsWith: query.idPrefix } } : {}),
      },
      orderBy: [{ createdAt: "desc" }, { id: "asc" }],
      take: Math.min(Math.max(query.limit, 1), 1000),
    });
    return rows.map((row) => storedTask(row as TaskRow));
  }

  async claim(request: ClaimRequest): Promise<ClaimedTask | undefined> {
    const { staleBefore, maxAttempts } = request;
    const candidates = await this.prisma.$queryRaw<Array<{ id: string }>>`
      SELECT "id" FROM "ScaffoldTask"
      WHERE "status" = 'open'
         OR ("status" = 'waiting' AND "wakeAt" <= ${request.now})
         OR ("status" = 'processing' AND "heartbeatAt" < ${staleBefore} AND "attempts" < ${maxAttempts})
      ORDER BY "createdAt" LIMIT ${CANDIDATES}`;
    // Workers polling together see the same oldest tasks: each starts at a random one of them, so they
    // mostly try different tasks instead of all losing the race for the first.
    const start = Math.floor(Math.random() * candidates.length);
    for (let i = 0; i < candidates.length; i++) {
      const { id } = candidates[(start + i) % candidates.length]!;
      const rows = await this.prisma.$queryRaw<TaskRow[]>`
        UPDATE "ScaffoldTask"
        SET "status" = 'processing', "claimedBy" = ${request.workerId}, "claimToken" = ${request.token},
            "heartbeatAt" = ${request.now}, "updatedAt" = ${request.now}, "attempts" = "attempts" + 1,
            "wakeAt" = NULL, "wakeRequestedAt" = NULL
        WHERE "id" = ${id}
          AND ("status" = 'open'
               OR ("status" = 'waiting' AND "wakeAt" <= ${request.now})
               OR ("status" = 'processing' AND "heartbeatAt" < ${staleBefore} AND "attempts" < ${maxAttempts}))
        RETURNING *`;
      if (rows.length === 1) return { ...storedTask(rows[0]!), claimToken: request.token };
    }
    return undefined;
  }

  async heartbeat(
    claims: Array<{ id: string; token: string }>,
    now: Date,
  ): Promise<Array<{ id: string; cancelRequested: boolean }>> {
    const held = await Promise.all(
      claims.map(async ({ id, token }) => {
        const rows = await this.prisma.$queryRaw<Array<{ cancelRequestedAt: Date | null }>>`
          UPDATE "ScaffoldTask" SET "heartbeatAt" = ${now}
          WHERE "id" = ${id} AND "claimToken" = ${token} AND "status" = 'processing'
          RETURNING "cancelRequestedAt"`;
        return rows.length === 1 ? [{ id, cancelRequested: rows[0]!.cancelRequestedAt !== null }] : [];
      }),
    );
    return held.flat();
  }

  async finish(
    id: string,
    token: string,
    end: { status: EndedTaskStatus; error?: string; output?: string; now: Date; keepWorkspaces: boolean },
  ): Promise<boolean> {
    const done = await this.prisma.$executeRaw`
      UPDATE "ScaffoldTask"
      SET "status" = ${end.status}, "error" = ${end.error ?? null}, "output" = ${end.output ?? null},
          "finishedAt" = ${end.now}, "updatedAt" = ${end.now}, "secrets" = NULL, "claimToken" = NULL,
          "heartbeatAt" = NULL
      WHERE "id" = ${id} AND "claimToken" = ${token}`;
    if (done !== 1) return false;
    if (!end.keepWorkspaces) await this.clearRunState(id);
    return true;
  }

  async release(id: string, token: string, now: Date): Promise<boolean> {
    const done = await this.prisma.$executeRaw`
      UPDATE "ScaffoldTask"
      SET "status" = 'open', "claimedBy" = NULL, "claimToken" = NULL, "heartbeatAt" = NULL,
          "updatedAt" = ${now}, "attempts" = CASE WHEN "attempts" > 0 THEN "attempts" - 1 ELSE 0 END
      WHERE "id" = ${id} AND "claimToken" = ${token} AND "status" = 'processing'`;
    return done === 1;
  }

  async park(
    id: string,
    token: string,
    wakeAt: Date | null,
    now: Date,
  ): Promise<"parked" | "requeued" | false> {
    // A wake-up recorded since the claim (the decision raced this park), or a cancel asked for, makes the
    // first statement miss and the second requeue the task: its next claim sees the decision or the cancel. The run got this far, so its attempts start again (they count crashes in
    // a row, not how often it waited).
    const parked = await this.prisma.$executeRaw`
      UPDATE "ScaffoldTask"
      SET "status" = 'waiting', "wakeAt" = ${wakeAt}, "claimedBy" = NULL, "claimToken" = NULL,
          "heartbeatAt" = NULL, "attempts" = 0, "updatedAt" = ${now}
      WHERE "id" = ${id} AND "claimToken" = ${token} AND "status" = 'processing'
        AND "wakeRequestedAt" IS NULL AND "cancelRequestedAt" IS NULL`;
    if (parked === 1) return "parked";
    const requeued = await this.prisma.$executeRaw`
      UPDATE "ScaffoldTask"
      SET "status" = 'open', "wakeAt" = NULL, "wakeRequestedAt" = NULL, "claimedBy" = NULL,
          "claimToken" = NULL, "heartbeatAt" = NULL, "attempts" = 0, "updatedAt" = ${now}
      WHERE "id" = ${id} AND "claimToken" = ${token} AND "status" = 'processing'`;
    return requeued === 1 ? "requeued" : false;
  }

  async wake(id: string, now: Date): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE "ScaffoldTask"
      SET "status" = CASE WHEN "status" = 'waiting' THEN 'open' ELSE "status" END,
          "wakeAt" = NULL, "wakeRequestedAt" = ${now}, "updatedAt" = ${now}
      WHERE "id" = ${id} AND "status" IN ('waiting', 'processing', 'open')`;
  }

  async requestCancel(
    id: string,
    reason: string,
    now: Date,
  ): Promise<"cancelled" | "requested" | "ended" | undefined> {
    const cancelled = await this.prisma.$executeRaw`
      UPDATE "ScaffoldTask"
      SET "status" = 'cancelled', "error" = ${reason}, "cancelRequestedAt" = ${now}, "finishedAt" = ${now},
          "updatedAt" = ${now}, "secrets" = NULL
      WHERE "id" = ${id} AND "status" IN ('open', 'waiting')`;
    if (cancelled === 1) return "cancelled";
    const requested = await this.prisma.$executeRaw`
      UPDATE "ScaffoldTask" SET "cancelRequestedAt" = ${now}, "updatedAt" = ${now}
      WHERE "id" = ${id} AND "status" = 'processing'`;
    if (requested === 1) return "requested";
    const row = await this.prisma.scaffoldTask.findUnique({ where: { id }, select: { status: true } });
    return row ? "ended" : undefined;
  }

  async retry(id: string, secrets: string | null, now: Date): Promise<boolean> {
    const done = await this.prisma.$executeRaw`
      UPDATE "ScaffoldTask"
      SET "status" = 'open', "secrets" = ${secrets}, "attempts" = 0, "claimedBy" = NULL, "claimToken" = NULL,
          "heartbeatAt" = NULL, "cancelRequestedAt" = NULL, "retryRequestedAt" = ${now}, "finishedAt" = NULL,
          "error" = NULL, "output" = NULL, "wakeAt" = NULL, "wakeRequestedAt" = NULL, "updatedAt" = ${now}
      WHERE "id" = ${id} AND "status" IN ('failed', 'cancelled')`;
    return done === 1;
  }

  async forgetUnfinishedSteps(id: string, token: string): Promise<boolean> {
    await this.prisma.$executeRaw`
      DELETE FROM "ScaffoldTaskStep"
      WHERE "taskId" = ${id} AND "status" <> 'completed'
        AND EXISTS (SELECT 1 FROM "ScaffoldTask" WHERE "id" = ${id} AND "claimToken" = ${token})`;
    const cleared = await this.prisma.$executeRaw`
      UPDATE "ScaffoldTask" SET "retryRequestedAt" = NULL WHERE "id" = ${id} AND "claimToken" = ${token}`;
    return cleared === 1;
  }

  async failAbandoned(request: {
    staleBefore: Date;
    maxAttempts: number;
    reason: string;
    now: Date;
  }): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<Array<{ id: string }>>`
      UPDATE "ScaffoldTask"
      SET "status" = 'failed', "error" = ${request.reason}, "finishedAt" = ${request.now},
          "updatedAt" = ${request.now}, "secrets" = NULL, "claimToken" = NULL, "heartbeatAt" = NULL
      WHERE "status" = 'processing' AND "heartbeatAt" < ${request.staleBefore}
        AND "attempts" >= ${request.maxAttempts}
      RETURNING "id"`;
    return rows.map((row) => row.id);
  }

  async pruneRunState(retryableAfter: Date): Promise<number> {
    return this.prisma.$executeRaw`
      UPDATE "ScaffoldTaskStep" SET "workspace" = NULL, "sealedOutput" = NULL
      WHERE ("workspace" IS NOT NULL OR "sealedOutput" IS NOT NULL)
        AND "taskId" IN (
          SELECT "id" FROM "ScaffoldTask"
          WHERE "status" = 'completed'
             OR ("status" IN ('failed', 'cancelled') AND "finishedAt" < ${retryableAfter}))`;
  }

  async appendEvents(id: string, events: Array<Omit<StoredEvent, "id">>): Promise<void> {
    if (events.length === 0) return;
    // One multi-row insert: a task's log comes in bursts, and a statement each was most of a small task's
    // database time. The autoincrement ids keep the order given.
    const rows = events.map(
      (e) => sql`(${id}, ${e.at}, ${e.stepId}, ${e.type}, ${e.level}, ${e.message}, ${e.status})`,
    );
    await this.prisma.$executeRaw`
      INSERT INTO "ScaffoldTaskEvent" ("taskId", "at", "stepId", "type", "level", "message", "status")
      VALUES ${join(rows)}`;
  }

  async events(
    id: string,
    options: { afterId?: number; limit?: number; types?: string[] } = {},
  ): Promise<StoredEvent[]> {
    const rows = await this.prisma.scaffoldTaskEvent.findMany({
      where: {
        taskId: id,
        ...(options.afterId === undefined ? {} : { id: { gt: options.afterId } }),
        ...(options.types ? { type: { in: options.types } } : {}),
      },
      orderBy: { id: "asc" },
      take: Math.min(Math.max(options.limit ?? 1000, 1), 10_000),
    });
    return rows.map(({ taskId: _, ...event }) => event);
  }

  async setProgressRef(id: string, ref: string): Promise<boolean> {
    const saved = await this.prisma.$executeRaw`
      UPDATE "ScaffoldTask" SET "progressRef" = ${ref} WHERE "id" = ${id}`;
    return saved === 1;
  }

  async saveStep(
    id: string,
    token: string,
    step: Omit<StoredStep, "updatedAt" | "startedAt">,
    workspace: string | undefined,
    now: Date,
  ): Promise<boolean> {
    const saved = await this.prisma.$executeRaw`
      INSERT INTO "ScaffoldTaskStep"
        ("taskId", "stepId", "status", "output", "sealedOutput", "reason", "workspace", "startedAt",
          "updatedAt")
      SELECT ${id}, ${step.stepId}, ${step.status}, ${step.output}, ${step.sealedOutput}, ${step.reason},
        ${workspace ?? null}, ${step.status === "processing" ? now : null}, ${now}
      WHERE EXISTS (SELECT 1 FROM "ScaffoldTask" WHERE "id" = ${id} AND "claimToken" = ${token})
      ON CONFLICT ("taskId", "stepId") DO UPDATE SET
        "status" = excluded."status", "output" = excluded."output", "sealedOutput" = excluded."sealedOutput",
        "reason" = excluded."reason", "workspace" = excluded."workspace",
        "startedAt" = COALESCE(excluded."startedAt", "ScaffoldTaskStep"."startedAt"),
        "updatedAt" = excluded."updatedAt"`;
    if (saved !== 1) return false;
    // One workspace a task is enough: the resume starts from the last completed step's.
    if (workspace !== undefined) {
      await this.prisma.$executeRaw`
        UPDATE "ScaffoldTaskStep" SET "workspace" = NULL
        WHERE "taskId" = ${id} AND "stepId" <> ${step.stepId} AND "workspace" IS NOT NULL`;
    }
    return true;
  }

  async steps(id: string): Promise<StoredStep[]> {
    return this.prisma.scaffoldTaskStep.findMany({
      where: { taskId: id },
      select: {
        stepId: true,
        status: true,
        output: true,
        sealedOutput: true,
        reason: true,
        startedAt: true,
        updatedAt: true,
      },
      orderBy: { updatedAt: "asc" },
    });
  }

  async workspace(id: string, stepId: string): Promise<string | undefined> {
    const row = await this.prisma.scaffoldTaskStep.findUnique({
      where: { taskId_stepId: { taskId: id, stepId } },
      select: { workspace: true },
    });
    return row?.workspace ?? undefined;
  }

  async checkpoint(id: string, token: string, key: string): Promise<{ held: boolean; record?: string }> {
    const rows = await this.prisma.$queryRaw<Array<{ claimToken: string | null; record: string | null }>>`
      SELECT t."claimToken" AS "claimToken", c."record" AS "record"
      FROM "ScaffoldTask" t
      LEFT JOIN "ScaffoldTaskCheckpoint" c ON c."taskId" = t."id" AND c."key" = ${key}
      WHERE t."id" = ${id}`;
    const row = rows[0];
    if (!row || row.claimToken !== token) return { held: false };
    return row.record === null ? { held: true } : { held: true, record: row.record };
  }

  async saveCheckpoint(id: string, token: string, key: string, record: string): Promise<boolean> {
    const saved = await this.prisma.$executeRaw`
      INSERT INTO "ScaffoldTaskCheckpoint" ("taskId", "key", "record")
      SELECT ${id}, ${key}, ${record}
      WHERE EXISTS (SELECT 1 FROM "ScaffoldTask" WHERE "id" = ${id} AND "claimToken" = ${token})
      ON CONFLICT ("taskId", "key") DO UPDATE SET "record" = excluded."record"`;
    return saved === 1;
  }

  private async clearRunState(id: string): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE "ScaffoldTaskStep" SET "workspace" = NULL, "sealedOutput" = NULL
      WHERE "taskId" = ${id} AND ("workspace" IS NOT NULL OR "sealedOutput" IS NOT NULL)`;
  }
}

function storedTask(row: TaskRow): StoredTask {
  const { claimToken: _, wakeRequestedAt: _wake, ...task } = row;
  return { ...task, status: task.status as StoredTask["status"], attempts: Number(task.attempts) };
}
