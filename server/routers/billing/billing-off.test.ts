// Without STRIPE_SECRET_KEY billing is off: the procedures that need Stripe say so clearly, the
// webhook refuses, the client is told to hide "Add credits", and no plan limit applies.
import { describe, expect, it } from "vitest";
import request from "supertest";
import { createApp } from "../../app";
import { db } from "../../lib/db";
import { makeUser, rejection } from "../../test/helpers";
import { ensureBuiltinAgents } from "../../domain/agents/builtin";
import { config } from "../../config";

const NOT_CONFIGURED = /billing is not configured on this Paddock \(an operator sets STRIPE_SECRET_KEY to turn it on\)/;

describe("billing when Stripe is not configured", () => {
  it("has no key in this test's environment", () => {
    expect(config.STRIPE_SECRET_KEY).toBeUndefined();
  });

  it("tells the client billing is off, and every Stripe procedure answers that billing is not configured", async () => {
    const owner = await makeUser();
    const ws = await owner.caller.workspace.create({ name: "No billing" });
    expect(await owner.caller.billing.status()).toMatchObject({ configured: false, overdrawn: false });
    const calls = [
      () => owner.caller.billing.packs(),
      () => owner.caller.billing.createCheckout({ packId: "starter" }),
      () => owner.caller.billing.subscribe({ workspaceId: ws.id, plan: "pro" }),
      () => owner.caller.billing.portal({ workspaceId: ws.id }),
    ];
    for (const call of calls) {
      const refused = await rejection(call());
      expect(refused.code).toBe("NOT_IMPLEMENTED");
      expect(refused.message).toMatch(NOT_CONFIGURED);
    }
    expect(await owner.caller.billing.workspace({ workspaceId: ws.id })).toMatchObject({ configured: false, plan: { id: "free" } });
  });

  it("refuses webhooks (501) and stores nothing", async () => {
    const res = await request(createApp())
      .post("/api/webhooks/stripe")
      .set("content-type", "application/json")
      .set("stripe-signature", "t=1,v1=abc")
      .send('{"id":"evt_1","type":"checkout.session.completed"}');
    expect(res.status).toBe(501);
    expect(res.body.error.message).toMatch(NOT_CONFIGURED);
    expect(await db.stripeEvent.count()).toBe(0);
  });

  it("enforces no plan limit: a workspace launches past the free plan's live runs", async () => {
    const { id: agentId } = (await ensureBuiltinAgents(db))[0]!;
    const owner = await makeUser();
    const ws = await owner.caller.workspace.create({ name: "Unlimited" });
    for (let i = 0; i < 4; i++) {
      await owner.caller.run.create({
        goal: "work",
        metric: "points",
        targetValue: 1,
        agentId,
        durationMinutes: 60,
        credits: 100,
        workspaceId: ws.id,
      });
    }
    expect(await db.run.count({ where: { workspaceId: ws.id } })).toBe(4);
  });
});
