// Time is UTC whatever zone the database server and the Node host are in: on a database set to
// Tokyo (UTC+9) and one set to New York (UTC−5), with the Node process in the same zone, a
// 60-minute run keeps running through the sweeps, activity times are "now" (not hours away),
// and a run that really is idle is still swept.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import pg from "pg";

const MINUTE = 60_000;
// Wide enough for a slow machine, far narrower than any zone offset.
const SLACK = 2 * MINUTE;

const databaseUrl = process.env.DATABASE_URL!;
const originalTz = process.env.TZ;

/** A connection built the way Paddock's must NOT be: no options, so the database's zone applies. */
async function unpinned<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function loadPaddock() {
  vi.resetModules();
  return {
    ...(await import("./db")),
    ...(await import("./pg")),
    ...(await import("./redis")),
    ...(await import("../jobs/queues")),
    ...(await import("../jobs/runs/lifecycle-sweep")),
    ...(await import("../domain/runs/start")),
    ...(await import("../domain/runs/lifecycle")),
    ...(await import("../domain/runs/events-sql")),
    ...(await import("../domain/runs/progress")),
    ...(await import("../domain/betting/fixtures")),
    ...(await import("../test/helpers")),
  };
}

describe.each(["Asia/Tokyo", "America/New_York"])("on a database and a host in %s", (zone) => {
  let p: Awaited<ReturnType<typeof loadPaddock>>;

  beforeAll(async () => {
    await unpinned((c) => c.query(`ALTER DATABASE "${new URL(databaseUrl).pathname.slice(1)}" SET timezone TO '${zone}'`));
    process.env.TZ = zone;
    // Fresh modules, so Paddock's pools open their connections after the zone change.
    p = await loadPaddock();
  });

  afterAll(async () => {
    await p.closeQueues();
    await p.closeAllRedis();
    await p.closePgPool();
    await p.db.$disconnect();
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  it("the database is in the zone, but Paddock's sessions are in UTC", async () => {
    expect(await unpinned(async (c) => (await c.query<{ TimeZone: string }>("SHOW TimeZone")).rows[0]!.TimeZone)).toBe(zone);
    const [prisma] = await p.db.$queryRaw<{ tz: string }[]>`SELECT current_setting('TimeZone') AS tz`;
    expect(prisma!.tz).toBe("UTC");
    const raw = await p.pgPool().query<{ tz: string }>("SELECT current_setting('TimeZone') AS tz");
    expect(raw.rows[0]!.tz).toBe("UTC");
  });

  it("a 60-minute run keeps running through the sweeps, and its activity times are now", async () => {
    const owner = await p.makeUser();
    const { runId } = await p.makeRun(p.db, { createdById: owner.id, status: "booting" });
    await p.db.run.update({ where: { id: runId }, data: { durationMinutes: 60, idleTimeoutMinutes: 15 } });

    const started = await p.markRunning(p.db, runId, MINUTE);
    expect(started?.status).toBe("running");
    // Activity through each kind of write: bare now() on the raw pool and in Prisma's raw SQL.
    const [event] = await p.appendEvents(p.pgPool(), runId, [{ kind: "log", payload: { message: "hello" } }]);
    await p.recordProgress(p.db, { runId, value: 1 });

    // And a run that began booting a moment ago is not taken for a stalled launch.
    const booting = await p.makeRun(p.db, { createdById: owner.id, status: "queued" });
    await p.transitionRun(p.db, { runId: booting.runId, to: "booting", reason: "launching" });

    const swept = await p.idleKillJob.handle({}, {} as never);
    expect(swept).toMatchObject({ idle: 0, expired: 0, stalled: 0 });

    const run = await p.db.run.findUniqueOrThrow({
      where: { id: runId },
      select: { status: true, startedAt: true, expiresAt: true, lastActivityAt: true },
    });
    expect(run.status).toBe("running");
    const now = Date.now();
    expect(run.expiresAt!.getTime() - run.startedAt!.getTime()).toBe(60 * MINUTE);
    expect(Math.abs(run.lastActivityAt!.getTime() - now)).toBeLessThan(SLACK);
    expect(Math.abs(event!.createdAt.getTime() - now)).toBeLessThan(SLACK);
    const stored = await p.db.runEvent.findMany({ where: { runId }, select: { createdAt: true } });
    expect(stored.length).toBeGreaterThan(0);
    for (const e of stored) expect(Math.abs(e.createdAt.getTime() - now)).toBeLessThan(SLACK);
  });

  it("a run idle past its timeout is still canceled by the sweep", async () => {
    const owner = await p.makeUser();
    const { runId } = await p.makeRun(p.db, { createdById: owner.id, status: "running" });
    const twentyMinutesAgo = new Date(Date.now() - 20 * MINUTE);
    await p.db.run.update({
      where: { id: runId },
      data: {
        idleTimeoutMinutes: 15,
        startedAt: twentyMinutesAgo,
        lastActivityAt: twentyMinutesAgo,
        expiresAt: new Date(Date.now() + 40 * MINUTE),
      },
    });
    await p.idleKillJob.handle({}, {} as never);
    const run = await p.db.run.findUniqueOrThrow({ where: { id: runId }, select: { status: true, statusReason: true } });
    expect(run).toEqual({ status: "canceled", statusReason: "idle" });
  });
});

describe("pgConnectionOptions", () => {
  it("keeps options already in DATABASE_URL and adds the UTC zone after them", async () => {
    const { pgConnectionOptions } = await import("./pg-options");
    const { connectionString } = pgConnectionOptions(
      "postgresql://u@db.example:5432/paddock?options=-c%20statement_timeout%3D5000&sslmode=require",
    );
    const url = new URL(connectionString!);
    expect(url.searchParams.get("options")).toBe("-c statement_timeout=5000 -c TimeZone=UTC");
    expect(url.searchParams.get("sslmode")).toBe("require");
  });
});
