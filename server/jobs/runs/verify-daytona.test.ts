// The verify job against the Daytona provider, through the SDK, answered by the local Daytona
// stand-in: the verifier runs in the run's Daytona sandbox and its count decides the run.
import { afterAll, describe, expect, it } from "vitest";
import { startDaytonaStandin } from "../../providers/daytona-standin";

const standin = await startDaytonaStandin();
// Before server/config.ts is imported (by the modules below).
Object.assign(process.env, { DAYTONA_API_KEY: standin.apiKey, DAYTONA_API_URL: standin.url });
const { db } = await import("../../lib/db");
const { makeUser } = await import("../../test/helpers");
const { makeRun } = await import("../../domain/betting/fixtures");
const { providerFor } = await import("../../providers/for-run");
const { verifyRun } = await import("../../commands/run-lifecycle");

afterAll(async () => {
  await standin.close();
});

async function daytonaRun(targetValue: number, files: number) {
  const owner = await makeUser();
  const run = await makeRun(db, { createdById: owner.id, targetValue });
  const provider = providerFor("daytona");
  const { providerId } = await provider.create({ runId: run.runId, labels: {} });
  await provider.upload(
    providerId,
    Array.from({ length: files }, (_, i) => ({ path: `results/r${i}.txt`, content: "x" })),
  );
  await db.run.update({ where: { id: run.runId }, data: { provider: "daytona", providerId, verifier: "ls results | wc -l" } });
  return run.runId;
}

describe("verifying a run on Daytona", () => {
  it("measures in the Daytona run: short of the target fails, at the target succeeds", async () => {
    const short = await daytonaRun(3, 2);
    await verifyRun(short, "completed");
    expect(await db.run.findUniqueOrThrow({ where: { id: short } })).toMatchObject({ status: "failed", verifiedProgress: 2 });

    const enough = await daytonaRun(3, 3);
    await verifyRun(enough, "completed");
    const run = await db.run.findUniqueOrThrow({ where: { id: enough } });
    expect(run).toMatchObject({ status: "succeeded", verifiedProgress: 3, statusReason: "verified: 3 of 3" });
    expect(run.verifierOutput?.trim()).toBe("3");
    expect(standin.state.requests.filter((r) => /\/process\/execute$/.test(r))).toHaveLength(2);
  });
});
