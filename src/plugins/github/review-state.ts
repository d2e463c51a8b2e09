/**
 * A pull request's review state from its reviews, as GitHub shows it: each reviewer's latest approving,
 * change-requesting or dismissed review counts (comments do not change a reviewer's verdict); changes
 * requested by anyone outweigh approvals.
 */
export type ReviewDecision = "approved" | "changes requested" | "review required";

export interface ReviewLike {
  state: string;
  user?: { login: string } | null;
}

export interface ReviewSummary {
  decision: ReviewDecision;
  approvedBy: string[];
  changesRequestedBy: string[];
}

const VERDICTS = new Set(["APPROVED", "CHANGES_REQUESTED", "DISMISSED"]);

export function reviewSummary(reviews: readonly ReviewLike[]): ReviewSummary {
  const latest = new Map<string, string>();
  // Oldest first, as GitHub lists them: a later verdict replaces an earlier one.
  for (const review of reviews) {
    const login = review.user?.login;
    if (!login || !VERDICTS.has(review.state)) continue;
    latest.set(login, review.state);
  }
  const by = (state: string) =>
    [...latest]
      .filter(([, s]) => s === state)
      .map(([login]) => login)
      .sort();
  const approvedBy = by("APPROVED");
  const changesRequestedBy = by("CHANGES_REQUESTED");
  const decision: ReviewDecision =
    changesRequestedBy.length > 0
      ? "changes requested"
      : approvedBy.length > 0
        ? "approved"
        : "review required";
  return { decision, approvedBy, changesRequestedBy };
}
