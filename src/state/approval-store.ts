/**
 * The port for scaffolder approvals (the callboard:approval action): what a task waits for, where its buttons
 * were posted, and the decision, made once. `src/db` implements it; `src/scaffold/approvals` uses it.
 */
export type ApprovalStatus = "pending" | "approved" | "rejected" | "expired";
export type ApprovalDecision = Exclude<ApprovalStatus, "pending">;

export interface StoredApproval {
  id: string;
  taskId: string;
  stepId: string;
  /** The Group entity ref whose members may decide. */
  groupRef: string;
  message: string;
  status: ApprovalStatus;
  /** Past this a pending approval expires; null: it waits until decided (or the task is cancelled). */
  deadline: Date | null;
  /** The posted message: an outbox MessageRef as JSON text, once posted. */
  messageRef: string | null;
  /** The catalog User ref of who decided (null when it expired). */
  decidedBy: string | null;
  decidedAt: Date | null;
  createdAt: Date;
  /**
   * The step's `allowSelfApproval` input: the task's requester may approve it too. False by default (four eyes:
   * someone else in the group approves what a person asked for).
   */
  allowSelfApproval: boolean;
}

export type NewApproval = Pick<
  StoredApproval,
  "id" | "taskId" | "stepId" | "groupRef" | "message" | "deadline" | "createdAt"
> &
  Partial<Pick<StoredApproval, "allowSelfApproval">>;

export interface ApprovalStore {
  create(approval: NewApproval): Promise<void>;
  get(id: string): Promise<StoredApproval | undefined>;
  /** The newest approval of a task's step, or of the whole task when `stepId` is absent. */
  latest(taskId: string, stepId?: string): Promise<StoredApproval | undefined>;
  setMessageRef(id: string, messageRef: string): Promise<void>;
  /**
   * Records the decision if the approval is still pending, in one conditional update: of two people deciding
   * at once exactly one wins. False when it was decided (or expired) already.
   */
  decide(id: string, decision: { status: ApprovalDecision; by: string | null; at: Date }): Promise<boolean>;
}
