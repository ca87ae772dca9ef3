// Runs were once called sandboxes and agents agent profiles. What scripts wrote then keeps working:
// the `sandbox.*` procedures (the run router under its former name), `setProfileVerifier`,
// `setProfileRestricted` and `profiles`, the input fields `sandboxId`, `agentProfileId` and
// `profileId`, and job payloads queued before the rename. Called over HTTP, as a script calls them.
import { describe, expect, it } from "vitest";
import request from "supertest";
import { createApp } from "../../app";
import { db } from "../../lib/db";
import { makeUser } from "../../test/helpers";
import { createApiToken } from "../../domain/users";
import { ensureBuiltinAgents } from "../../domain/agents/builtin";
import { makeRun } from "../../domain/betting/fixtures";
import { expireJob } from "../../jobs/runs/expire";
import { verifyJob } from "../../jobs/runs/verify";
import { lockPoolJob } from "../../jobs/betting/lock-pool.job";
import { acceptFormerNames, FORMER_RUN_ID } from "@shared/schemas";
import { z } from "zod";
import type { Role } from "../../generated/prisma/enums";

const app = createApp();

async function scriptUser(opts: { role?: Role; grant?: number } = {}) {
  const user = await makeUser(opts);
  const { token } = await createApiToken(db, user.id, "a script");
  const call = async (procedure: string, input: unknown, kind: "query" | "mutation") => {
    const res =
      kind === "query"
        ? await request(app)
            .get(`/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`)
            .set("authorization", `Bearer ${token}`)
        : await request(app).post(`/trpc/${procedure}`).set("authorization", `Bearer ${token}`).send({ json: input });
    return { status: res.status, data: res.body.result?.data?.json, error: res.body.error?.json };
  };
  return { ...user, call };
}

describe("former names", () => {
  it("sandbox.* is the run router: a run launched with agentProfileId is the same run through run.get", async () => {
    const [agent] = await ensureBuiltinAgents(db);
    const launcher = await scriptUser({ grant: 10_000 });
    const launched = await launcher.call(
      "sandbox.create",
      { goal: "Count to ten", metric: "count", targetValue: 10, agentProfileId: agent!.id, durationMinutes: 10, credits: 200 },
      "mutation",
    );
    expect(launched.status).toBe(200);
    const id = launched.data.id as string;
    expect((await db.run.findUniqueOrThrow({ where: { id } })).agentId).toBe(agent!.id);
    const before = await launcher.call("sandbox.get", { id }, "query");
    const now = await launcher.call("run.get", { id }, "query");
    expect(before.status).toBe(200);
    expect(before.data).toEqual(now.data);
    expect((await launcher.call("sandbox.profiles", undefined, "query")).data).toEqual(
      (await launcher.call("run.agents", undefined, "query")).data,
    );

    // Neither name: the error names the current one.
    const nameless = await launcher.call(
      "run.create",
      { goal: "Count to ten", metric: "count", targetValue: 10, durationMinutes: 10, credits: 200 },
      "mutation",
    );
    expect(nameless.status).toBe(400);
    expect(nameless.error.data.field).toBe("agentId");
  });

  it("betting takes sandboxId as well as runId, and the current name wins when both are given", async () => {
    const creator = await makeUser({ grant: 0 });
    const run = await makeRun(db, { createdById: creator.id });
    const other = await makeRun(db, { createdById: creator.id });
    const bettor = await scriptUser({ grant: 10_000 });
    const bet = await bettor.call("betting.placeBet", { sandboxId: run.runId, side: "yes", amount: 300 }, "mutation");
    expect(bet.status).toBe(200);
    const both = await bettor.call("betting.placeBet", { runId: other.runId, sandboxId: run.runId, side: "no", amount: 200 }, "mutation");
    expect(both.status).toBe(200);
    expect((await bettor.call("betting.getOdds", { sandboxId: run.runId }, "query")).data).toMatchObject({ yesTotal: 300, noTotal: 0 });
    expect((await bettor.call("betting.getOdds", { runId: other.runId }, "query")).data).toMatchObject({ yesTotal: 0, noTotal: 200 });
    const mine = await bettor.call("betting.myBets", { sandboxId: run.runId }, "query");
    expect(mine.data.items).toHaveLength(1);

    const nameless = await bettor.call("betting.placeBet", { side: "yes", amount: 300 }, "mutation");
    expect(nameless.status).toBe(400);
    expect(nameless.error.data.field).toBe("runId");
  });

  it("setProfileRestricted and setProfileVerifier change the agent, under their former input names", async () => {
    const [agent] = await ensureBuiltinAgents(db);
    const admin = await scriptUser({ role: "admin" });
    const restricted = await admin.call("sandbox.setProfileRestricted", { profileId: agent!.id, restricted: true }, "mutation");
    expect(restricted.data).toEqual({ id: agent!.id, restricted: true });
    const verifier = await admin.call("sandbox.setProfileVerifier", { agentProfileId: agent!.id, verifier: "echo 7" }, "mutation");
    expect(verifier.data).toEqual({ id: agent!.id, verifier: "echo 7" });
    expect(await db.agent.findUniqueOrThrow({ where: { id: agent!.id }, select: { restricted: true, verifier: true } })).toEqual({
      restricted: true,
      verifier: "echo 7",
    });
  });

  it("jobs queued before the rename (payload sandboxId) parse to runId", () => {
    expect(expireJob.schema.parse({ sandboxId: "r1" })).toEqual({ runId: "r1" });
    expect(verifyJob.schema.parse({ sandboxId: "r1", trigger: "deadline" })).toEqual({ runId: "r1", trigger: "deadline" });
    expect(lockPoolJob.schema.parse({ sandboxId: "r1" })).toEqual({ runId: "r1" });
    expect(() => expireJob.schema.parse({})).toThrow(/runId/);
    const schema = acceptFormerNames(z.object({ runId: z.string() }), FORMER_RUN_ID);
    expect(schema.parse({ runId: "new", sandboxId: "old" })).toEqual({ runId: "new" });
  });
});
