import type {
  ApprovalDecision,
  ApprovalStore,
  NewApproval,
  StoredApproval,
} from "../state/approval-store.ts";
import type { PrismaDb } from "./open-database.ts";

/**
 * Scaffolder approvals in SQLite or PostgreSQL. The decision is a single conditional UPDATE (status still
 * pending), so two presses racing on two replicas record one decision; single statements, as in the task
 * store, so two SQLite connections in one process never wait on each other's transaction.
 */
export class PrismaApprovalStore implements ApprovalStore {
  constructor(private readonly prisma: PrismaDb) {}

  async create(approval: NewApproval): Promise<void> {
    await this.prisma.$executeRaw`
      INSERT INTO "ScaffoldApproval" ("id", "taskId", "stepId", "groupRef", "message", "status", "deadline",
        "createdAt", "allowSelfApproval")
      VALUES (${approval.id}, ${approval.taskId}, ${approval.stepId}, ${approval.groupRef}, ${approval.message},
        'pending', ${approval.deadline}, ${approval.createdAt}, ${approval.allowSelfApproval ?? false})`;
  }

  async get(id: string): Promise<StoredApproval | undefined> {
    const row = await this.prisma.scaffoldApproval.findUnique({ where: { id } });
    return row ? stored(row) : undefined;
  }

  async latest(taskId: string, stepId?: string): Promise<StoredApproval | undefined> {
    const row = await this.prisma.scaffoldApproval.findFirst({
      where: { taskId, ...(stepId === undefined ? {} : { stepId }) },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    });
    return row ? stored(row) : undefined;
  }

  async setMessageRef(id: string, messageRef: string): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE "ScaffoldApproval" SET "messageRef" = ${messageRef} WHERE "id" = ${id}`;
  }

  async decide(
    id: string,
    decision: { status: ApprovalDecision; by: string | null; at: Date },
  ): Promise<boolean> {
    const done = await this.prisma.$executeRaw`
      UPDATE "ScaffoldApproval"
      SET "status" = ${decision.status}, "decidedBy" = ${decision.by}, "decidedAt" = ${decision.at}
      WHERE "id" = ${id} AND "status" = 'pending'`;
    return done === 1;
  }
}

function stored(row: Omit<StoredApproval, "status"> & { status: string }): StoredApproval {
  return { ...row, status: row.status as StoredApproval["status"] };
}
