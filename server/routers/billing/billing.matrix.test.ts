// Who may call each billing procedure: every procedure × every kind of caller, from the one table
// below (the workspace matrix's actors). A refused call asks Stripe nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { startStripeStandin } from "../../billing/stripe-standin";

const standin = await startStripeStandin();
process.env.STRIPE_SECRET_KEY = standin.apiKey;
process.env.STRIPE_WEBHOOK_SECRET = standin.webhookSecret;
process.env.STRIPE_API_BASE = standin.url;

const { anonymousCaller, makeUser } = await import("../../test/helpers");
const { billingRouter } = await import("./billing.router");

afterAll(() => standin.close());

const ACTORS = ["anonymous", "viewer", "member", "admin", "owner", "otherWorkspace", "siteOperator", "siteAdmin"] as const;
type Actor = (typeof ACTORS)[number];
type Procedure = keyof typeof billingRouter._def.procedures;
type Outcome = "ok" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND";

const U = "UNAUTHORIZED";
const F = "FORBIDDEN";
const N = "NOT_FOUND";
const row = (...outcomes: Outcome[]) => Object.fromEntries(ACTORS.map((a, i) => [a, outcomes[i]!])) as Record<Actor, Outcome>;

// prettier-ignore
const MATRIX: Record<Procedure, Record<Actor, Outcome>> = {
  //                 anonymous viewer member admin owner otherWs siteOp siteAdmin
  status:         row(U, "ok", "ok", "ok", "ok", "ok", "ok", "ok"),
  packs:          row(U, "ok", "ok", "ok", "ok", "ok", "ok", "ok"),
  createCheckout: row(U, "ok", "ok", "ok", "ok", "ok", "ok", "ok"),
  workspace:      row(U, "ok", "ok", "ok", "ok", N,    N,    N),
  subscribe:      row(U, F,    F,    "ok", "ok", N,    N,    N),
  portal:         row(U, F,    F,    "ok", "ok", N,    N,    N),
  events:         row(U, F,    F,    F,    F,    F,    F,    "ok"),
};

type Caller = ReturnType<typeof anonymousCaller>;
const CALLS: Record<Procedure, (caller: Caller, workspaceId: string) => Promise<unknown>> = {
  status: (c) => c.billing.status(),
  packs: (c) => c.billing.packs(),
  createCheckout: (c) => c.billing.createCheckout({ packId: "starter" }),
  workspace: (c, workspaceId) => c.billing.workspace({ workspaceId }),
  subscribe: (c, workspaceId) => c.billing.subscribe({ workspaceId, plan: "pro" }),
  portal: (c, workspaceId) => c.billing.portal({ workspaceId }),
  events: (c) => c.billing.events({ limit: 5 }),
};

let callers: Record<Actor, Caller>;
let workspaceId: string;

beforeAll(async () => {
  const [viewer, member, admin, owner, otherWorkspace, siteOperator, siteAdmin] = await Promise.all([
    makeUser(),
    makeUser(),
    makeUser(),
    makeUser(),
    makeUser(),
    makeUser({ role: "operator" }),
    makeUser({ role: "admin" }),
  ]);
  const ws = await owner.caller.workspace.create({ name: "Billing matrix" });
  workspaceId = ws.id;
  for (const [u, role] of [
    [viewer, "viewer"],
    [member, "member"],
    [admin, "admin"],
  ] as const) {
    await owner.caller.workspace.invite({ id: workspaceId, email: u.email, role });
  }
  await otherWorkspace.caller.workspace.create({ name: "Elsewhere" });
  // The workspace has its Stripe customer (a started, unpaid subscription), so the portal can open.
  await owner.caller.billing.subscribe({ workspaceId, plan: "sprint" });
  callers = {
    anonymous: anonymousCaller(),
    viewer: viewer.caller,
    member: member.caller,
    admin: admin.caller,
    owner: owner.caller,
    otherWorkspace: otherWorkspace.caller,
    siteOperator: siteOperator.caller,
    siteAdmin: siteAdmin.caller,
  };
});

describe("billing procedures × callers", () => {
  it("covers every billing procedure", () => {
    expect(Object.keys(MATRIX).sort()).toEqual(Object.keys(billingRouter._def.procedures).sort());
  });

  for (const procedure of Object.keys(MATRIX) as Procedure[]) {
    for (const actor of ACTORS) {
      const expected = MATRIX[procedure][actor];
      it(`${procedure} by ${actor}: ${expected}`, async () => {
        const requests = standin.state.requests.length;
        const outcome = await CALLS[procedure](callers[actor], workspaceId).then(
          () => "ok",
          (e: unknown) => (e instanceof TRPCError ? e.code : `unexpected ${String(e)}`),
        );
        expect(outcome).toBe(expected);
        if (expected !== "ok") expect(standin.state.requests.length).toBe(requests);
      });
    }
  }
});
