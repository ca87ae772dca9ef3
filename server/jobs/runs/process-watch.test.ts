// The process watch against Daytona: the provider's session command status (through the real
// SDK, against the local Daytona stand-in, which runs real processes) tells a dead agent.
import { afterAll, describe, expect, it } from "vitest";
import { startDaytonaStandin, type DaytonaStandin } from "../../providers/daytona-standin";
import { waitUntil } from "../../test/paddock-harness";

const standin: DaytonaStandin = await startDaytonaStandin();
Object.assign(process.env, { DAYTONA_API_KEY: standin.apiKey, DAYTONA_API_URL: standin.url });

const { db } = await import("../../lib/db");
const { makeUser } = await import("../../test/helpers");
const { makeRun } = await import("../../domain/betting/fixtures");
const { checkLedger } = await import("../../domain/ledger");
const { closeProviders } = await import("../../providers");
const { providerFor } = await import("../../providers/for-run");
const { processWatchJob } = await import("./process-watch");

afterAll(async () => {
  await closeProviders();
  await standin.close();
});

async function daytonaRun(command: string) {
  const owner = await makeUser();
  const { runId, poolId } = await makeRun(db, { createdById: owner.id });
  const provider = providerFor("daytona");
  const { providerId } = await provider.create({ runId, labels: {} });
  await provider.start(providerId, { command, env: {} });
  await db.run.update({ where: { id: runId }, data: { provider: "daytona", providerId } });
  return { runId, poolId, providerId, provider };
}

describe("process watch on Daytona", () => {
  it("fails a running run whose agent command exited, and leaves a live one alone", async () => {
    const dead = await daytonaRun("exit 7");
    const alive = await daytonaRun("sleep 600");
    await waitUntil(async () => (await dead.provider.status(dead.providerId)).state === "exited", "the command to exit");

    await processWatchJob.handle({}, {} as never);
    const ended = await db.run.findUniqueOrThrow({ where: { id: dead.runId } });
    expect(ended).toMatchObject({ status: "failed", statusReason: "agent exited with code 7" });
    expect((await db.run.findUniqueOrThrow({ where: { id: alive.runId } })).status).toBe("running");

    // Idempotent: a second sweep (another worker, a restart) changes nothing.
    await processWatchJob.handle({}, {} as never);
    const events = await db.runEvent.count({ where: { runId: dead.runId, kind: "status" } });
    expect(events).toBe(1);
    expect(await checkLedger(db)).toEqual([]);
    await alive.provider.stop(alive.providerId);
  });
});
