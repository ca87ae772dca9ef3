import { describe, expect, it } from "vitest";
import { DEFAULT_PLANS, deliverableRefusal, effectivePlanId, liveRunRefusal, monthStartUtc, revisionRefusal } from "./billing";

describe("effectivePlanId", () => {
  it("keeps a paid plan while the subscription is active, trialing or past due, and falls back to free otherwise", () => {
    for (const status of ["active", "trialing", "past_due"]) expect(effectivePlanId("pro", status)).toBe("pro");
    for (const status of ["canceled", "unpaid", "incomplete", "incomplete_expired", "paused", null])
      expect(effectivePlanId("pro", status)).toBe("free");
    expect(effectivePlanId(null, "active")).toBe("free");
    expect(effectivePlanId("platinum", "active")).toBe("free");
  });
});

describe("plan limit refusals", () => {
  const plan = DEFAULT_PLANS.sprint;
  it("refuse at the limit, not below it, naming the limit and the upgrade link", () => {
    expect(liveRunRefusal(plan, "ws1", plan.liveRuns - 1)).toBeNull();
    expect(liveRunRefusal(plan, "ws1", plan.liveRuns)).toEqual({
      limit: "liveRuns",
      max: 5,
      used: 5,
      upgradePath: "/workspaces/ws1/billing",
      message:
        "the workspace's Sprint plan allows 5 live runs at once (queued, booting or running); it has 5 — upgrade the plan at /workspaces/ws1/billing",
    });
    expect(deliverableRefusal(plan, "ws1", 49)).toBeNull();
    expect(deliverableRefusal(plan, "ws1", 50)?.limit).toBe("deliverablesPerMonth");
    expect(revisionRefusal(plan, "ws1", 2)).toBeNull();
    expect(revisionRefusal(plan, "ws1", 3)?.message).toMatch(/allows 3 revisions per deliverable/);
  });

  it("count deliverables from the first instant of the UTC month", () => {
    expect(monthStartUtc(new Date("2026-12-31T23:30:00-05:00")).toISOString()).toBe("2027-01-01T00:00:00.000Z");
    expect(monthStartUtc(new Date("2026-12-02T08:00:00Z")).toISOString()).toBe("2026-12-01T00:00:00.000Z");
  });

  it("grow with the plans", () => {
    const order = ["free", "sprint", "pro", "scale"] as const;
    for (let i = 1; i < order.length; i++) {
      const [lo, hi] = [DEFAULT_PLANS[order[i - 1]!], DEFAULT_PLANS[order[i]!]];
      expect(hi.liveRuns).toBeGreaterThan(lo.liveRuns);
      expect(hi.deliverablesPerMonth).toBeGreaterThan(lo.deliverablesPerMonth);
      expect(hi.revisionsPerDeliverable).toBeGreaterThan(lo.revisionsPerDeliverable);
      expect(hi.priceCents).toBeGreaterThan(lo.priceCents);
    }
  });
});
