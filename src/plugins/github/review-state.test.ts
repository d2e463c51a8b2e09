import { describe, expect, it } from "vitest";
import { ago, within } from "./age.ts";
import { reviewSummary } from "./review-state.ts";

const review = (login: string | null, state: string) => ({ state, user: login ? { login } : null });

describe("a pull request's review state", () => {
  it("takes each reviewer's latest verdict; changes requested outweigh approvals; comments change nothing", () => {
    expect(reviewSummary([])).toEqual({
      decision: "review required",
      approvedBy: [],
      changesRequestedBy: [],
    });
    expect(reviewSummary([review("a", "APPROVED"), review("a", "COMMENTED")]).decision).toBe("approved");
    expect(reviewSummary([review("a", "APPROVED"), review("b", "CHANGES_REQUESTED")])).toEqual({
      decision: "changes requested",
      approvedBy: ["a"],
      changesRequestedBy: ["b"],
    });
    expect(reviewSummary([review("b", "CHANGES_REQUESTED"), review("b", "APPROVED")]).decision).toBe(
      "approved",
    );
    // A dismissed review withdraws that reviewer's verdict.
    expect(reviewSummary([review("a", "APPROVED"), review("a", "DISMISSED")]).decision).toBe(
      "review required",
    );
    // Pending reviews and deleted accounts count for nothing.
    expect(reviewSummary([review("a", "PENDING"), review(null, "APPROVED")]).decision).toBe(
      "review required",
    );
  });
});

describe("ages", () => {
  const now = new Date("2026-12-06T12:00:00Z");
  it("says how long ago, in the largest whole unit", () => {
    expect(ago("2026-12-06T11:59:30Z", now)).toBe("just now");
    expect(ago("2026-12-06T12:00:30Z", now)).toBe("just now");
    expect(ago("2026-12-06T11:59:00Z", now)).toBe("1 minute ago");
    expect(ago("2026-12-06T09:00:00Z", now)).toBe("3 hours ago");
    expect(ago("2026-11-20T12:00:00Z", now)).toBe("2 weeks ago");
    expect(ago("2024-12-01T12:00:00Z", now)).toBe("2 years ago");
    expect(ago("not a date", now)).toBe("at an unknown time");
    expect(ago(null, now)).toBe("at an unknown time");
  });

  it("says how long until, rounded up", () => {
    expect(within(0.2)).toBe("in 1 second");
    expect(within(59)).toBe("in 59 seconds");
    expect(within(61)).toBe("in 2 minutes");
    expect(within(3601)).toBe("in 2 hours");
  });
});
