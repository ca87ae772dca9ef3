import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { createServer, type Server as HttpServer } from "node:http";
import { io as connect, type Socket } from "socket.io-client";
import request from "supertest";
import {
  rooms,
  type BetsPlacedMessage,
  type ClientToServerEvents,
  type PoolUpdateMessage,
  type ServerToClientEvents,
  type SubscribeAck,
} from "@shared/realtime";
import { db } from "../lib/db";
import { makeUser } from "../test/helpers";
import { createApiToken } from "../domain/users";
import { createApp } from "../app";
import { startRealtime, type RealtimeServer } from "./server";
import { live } from "./emit";
import { canViewRun } from "./access";
import { makeRun } from "../domain/betting/fixtures";
import { appendEvents } from "../domain/runs/events-sql";
import { createWorkspace } from "../domain/workspaces/workspaces";
import { removeMember, setMemberRole } from "../commands/workspace";
import { recheckRunRooms } from "./membership";

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

interface Running {
  url: string;
  http: HttpServer;
  realtime: RealtimeServer;
}

const running: Running[] = [];
const sockets: ClientSocket[] = [];

async function startServer(handler?: Parameters<typeof createServer>[1]): Promise<Running> {
  const http = handler ? createServer(handler) : createServer();
  const realtime = await startRealtime(db, http);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const address = http.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const r = { url: `http://127.0.0.1:${port}`, http, realtime };
  running.push(r);
  return r;
}

function client(url: string, opts: { token?: string; headers?: Record<string, string> } = {}): ClientSocket {
  const socket: ClientSocket = connect(url, {
    path: "/socket.io",
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    ...(opts.token ? { auth: { token: opts.token } } : {}),
    ...(opts.headers ? { extraHeaders: opts.headers } : {}),
  });
  sockets.push(socket);
  return socket;
}

function connected(socket: ClientSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (err) => reject(err));
  });
}

function subscribe(socket: ClientSocket, runId: string, afterSeq?: number): Promise<SubscribeAck> {
  return socket.timeout(5000).emitWithAck("run:subscribe", afterSeq === undefined ? { runId } : { runId, afterSeq });
}

function next<E extends keyof ServerToClientEvents>(socket: ClientSocket, event: E, timeoutMs = 5000) {
  return new Promise<Parameters<ServerToClientEvents[E]>[0]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    socket.once(event, ((msg: Parameters<ServerToClientEvents[E]>[0]) => {
      clearTimeout(timer);
      resolve(msg);
    }) as never);
  });
}

/** Resolves true if `event` arrives within `ms`, false otherwise. */
function arrives(socket: ClientSocket, event: keyof ServerToClientEvents, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const handler = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      socket.off(event, handler);
      resolve(false);
    }, ms);
    socket.once(event, handler);
  });
}

/** A running run (the betting fixture) with `events` log lines stored, as the bridge stores them. */
async function runWithEvents(createdById: string, events = 0) {
  const { runId } = await makeRun(db, { createdById });
  if (events > 0) {
    const lines = Array.from({ length: events }, (_, i) => ({ kind: "log" as const, payload: { message: `line ${i + 1}` } }));
    await db.$transaction((tx) => appendEvents(tx, runId, lines));
  }
  return runId;
}

async function tokenFor() {
  const user = await makeUser();
  const { token } = await createApiToken(db, user.id, "realtime test");
  return { user, token };
}

afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});

afterAll(async () => {
  for (const r of running.splice(0)) await r.realtime.close();
});

describe("Socket.IO handshake", () => {
  it("refuses anonymous connections with connect_error 'unauthorized'", async () => {
    const { url } = await startServer();
    await expect(connected(client(url))).rejects.toThrow("unauthorized");
    await expect(connected(client(url, { token: "pdk_not-a-real-token" }))).rejects.toThrow("unauthorized");
  });

  it("accepts a personal API token in auth.token or an Authorization header", async () => {
    const { url } = await startServer();
    const { token } = await tokenFor();
    await connected(client(url, { token }));
    await connected(client(url, { headers: { authorization: `Bearer ${token}` } }));
  });

  it("refuses a revoked API token", async () => {
    const { url } = await startServer();
    const { user, token } = await tokenFor();
    await db.apiToken.updateMany({ where: { userId: user.id }, data: { revokedAt: new Date() } });
    await expect(connected(client(url, { token }))).rejects.toThrow("unauthorized");
  });

  it("accepts the Auth.js session cookie, like tRPC", async () => {
    const app = createApp();
    const { url } = await startServer(app);
    const user = await makeUser();
    const agent = request.agent(app);
    const csrf = await agent.get("/api/auth/csrf").expect(200);
    const signIn = await agent
      .post("/api/auth/callback/credentials")
      .type("form")
      .send({ csrfToken: csrf.body.csrfToken, email: user.email, password: "correct horse battery", json: "true" });
    const cookies = ([] as string[]).concat(signIn.headers["set-cookie"] ?? []);
    const session = cookies.map((c) => c.split(";")[0]!).find((c) => c.startsWith("authjs.session-token="));
    expect(session).toBeDefined();
    const socket = client(url, { headers: { cookie: session! } });
    await connected(socket);
    // The socket is that user's: their balance updates reach it.
    const got = next(socket, "balance:update");
    live.user(user.id, "balance:update", { balance: 4200, reason: "test" });
    expect(await got).toEqual({ balance: 4200, reason: "test" });
  });
});

describe("run:subscribe", () => {
  it("refuses a run that does not exist", async () => {
    const { url } = await startServer();
    const { token } = await tokenFor();
    const socket = client(url, { token });
    await connected(socket);
    const ack = await subscribe(socket, "no-such-run");
    expect(ack).toEqual({ ok: false, error: expect.stringMatching(/no such run/) });
    const bad = await socket.timeout(5000).emitWithAck("run:subscribe", { runId: "" });
    expect(bad.ok).toBe(false);
  });

  it("replays the events stored after afterSeq, in order", async () => {
    const { url } = await startServer();
    const { user, token } = await tokenFor();
    const runId = await runWithEvents(user.id, 12);
    const socket = client(url, { token });
    await connected(socket);

    const ack = await subscribe(socket, runId, 7);
    expect(ack.ok).toBe(true);
    if (!ack.ok) return;
    expect(ack.missed.map((e) => e.seq)).toEqual([8, 9, 10, 11, 12]);
    expect(ack.missed[0]).toMatchObject({ runId, kind: "log", payload: { message: "line 8" } });
    expect(typeof ack.missed[0]!.createdAt).toBe("string");
    expect(ack.lastSeq).toBe(12);
    expect(ack.more).toBe(false);

    const fresh = await subscribe(socket, runId);
    expect(fresh).toMatchObject({ ok: true, missed: [], lastSeq: 12 });
    expect(await canViewRun(db, user.id, runId)).toBe(true);
  });

  it("delivers what the Redis emitter publishes to the run's room, and only to its watchers", async () => {
    const { url } = await startServer();
    const { user, token } = await tokenFor();
    const runId = await runWithEvents(user.id);
    const otherRun = await runWithEvents(user.id);
    const watcher = client(url, { token });
    const bystander = client(url, { token });
    await Promise.all([connected(watcher), connected(bystander)]);
    expect((await subscribe(watcher, runId)).ok).toBe(true);
    expect((await subscribe(bystander, otherRun)).ok).toBe(true);

    const got = next(watcher, "run:events");
    const strayed = arrives(bystander, "run:events", 500);
    const event = { runId, seq: 1, kind: "log", payload: { message: "hello" }, createdAt: new Date().toISOString() };
    const msg = { runId, events: [event, { ...event, seq: 2 }] };
    live.run(runId, "run:events", msg);
    expect(await got).toEqual(msg);
    expect(await strayed).toBe(false);

    // After unsubscribing, nothing more arrives.
    watcher.emit("run:unsubscribe", { runId });
    await new Promise((r) => setTimeout(r, 100));
    const late = arrives(watcher, "run:events", 300);
    live.run(runId, "run:events", { runId, events: [{ ...event, seq: 3 }] });
    expect(await late).toBe(false);
  });

  it("delivers arena updates to arena subscribers", async () => {
    const { url } = await startServer();
    const { user, token } = await tokenFor();
    const runId = await runWithEvents(user.id);
    const socket = client(url, { token });
    await connected(socket);
    expect(await socket.timeout(5000).emitWithAck("arena:subscribe")).toEqual({ ok: true });
    const got = next(socket, "run:progress");
    const msg = { runId, currentProgress: 42, targetValue: 100, at: new Date().toISOString() };
    live.runAndArena(runId, "run:progress", msg);
    expect(await got).toEqual(msg);
  });
});

describe("private rooms", () => {
  it("sends a user's balance updates to that user only", async () => {
    const { url } = await startServer();
    const a = await tokenFor();
    const b = await tokenFor();
    const socketA = client(url, { token: a.token });
    const socketB = client(url, { token: b.token });
    await Promise.all([connected(socketA), connected(socketB)]);
    // B even watches the same run and the arena: balances still never reach B.
    const runId = await runWithEvents(a.user.id);
    await subscribe(socketA, runId);
    await subscribe(socketB, runId);
    await socketB.timeout(5000).emitWithAck("arena:subscribe");

    const toA = next(socketA, "balance:update");
    const toB = arrives(socketB, "balance:update", 500);
    live.user(a.user.id, "balance:update", { balance: 12_345, reason: "payout" });
    expect(await toA).toEqual({ balance: 12_345, reason: "payout" });
    expect(await toB).toBe(false);
  });
});

describe("betting updates", () => {
  it("sends a run's watchers the bets accepted together as one message, in order, and the pool's newest totals", async () => {
    const { url } = await startServer();
    const { user, token } = await tokenFor();
    const run = await makeRun(db, { createdById: user.id });
    const watcher = client(url, { token });
    await connected(watcher);
    expect((await subscribe(watcher, run.runId)).ok).toBe(true);
    const messages: BetsPlacedMessage[] = [];
    const pools: PoolUpdateMessage[] = [];
    watcher.on("bets:placed", (m) => messages.push(m));
    watcher.on("pool:update", (m) => pools.push(m));

    const bettors = await Promise.all(Array.from({ length: 8 }, () => makeUser()));
    const placed = await Promise.all(
      bettors.map((b, i) => b.caller.betting.placeBet({ runId: run.runId, side: i % 2 === 0 ? "yes" : "no", amount: 100 + i })),
    );
    await vi.waitFor(
      () => {
        expect(messages.flatMap((m) => m.bets)).toHaveLength(placed.length);
        expect(pools.at(-1)?.betCount).toBe(placed.length);
      },
      { timeout: 5_000, interval: 20 },
    );

    const received = messages.flatMap((m) => m.bets);
    expect(received.map((b) => b.betId).sort()).toEqual(placed.map((b) => b.betId).sort());
    // Bets that shared a statement shared a message...
    expect(messages.length).toBeLessThan(placed.length);
    expect(Math.max(...messages.map((m) => m.bets.length))).toBeGreaterThan(1);
    // ...in the order the pool took them, each as placed.
    const countAfter = new Map(placed.map((b) => [b.betId, b.pool.betCount]));
    expect(received.map((b) => countAfter.get(b.betId))).toEqual(placed.map((b) => b.pool.betCount).sort((x, y) => x - y));
    const first = placed.find((b) => b.betId === received[0]!.betId)!;
    expect(received[0]).toEqual({
      runId: run.runId,
      poolId: run.poolId,
      betId: first.betId,
      side: first.side,
      amount: first.amount,
      userId: first.userId,
      userName: first.userName,
      createdAt: first.createdAt.toISOString(),
    });
    for (const m of messages) expect(m.runId).toBe(run.runId);
    // The pool's totals: fewer messages than bets, the last one current.
    expect(pools.length).toBeLessThan(placed.length);
    const total = placed.reduce((sum, b) => sum + b.amount, 0);
    expect(pools.at(-1)).toMatchObject({ poolId: run.poolId, betCount: placed.length, status: "open" });
    expect(pools.at(-1)!.yesTotal + pools.at(-1)!.noTotal).toBe(total);
  });
});

describe("several API processes", () => {
  it("delivers an emitted event through every server sharing Redis", async () => {
    const one = await startServer();
    const two = await startServer();
    const { user, token } = await tokenFor();
    const runId = await runWithEvents(user.id);
    const onOne = client(one.url, { token });
    const onTwo = client(two.url, { token });
    await Promise.all([connected(onOne), connected(onTwo)]);
    await subscribe(onOne, runId);
    await subscribe(onTwo, runId);

    const msg = {
      runId,
      status: "succeeded" as const,
      statusReason: "goal reached",
      error: null,
      startedAt: null,
      expiresAt: null,
      finishedAt: null,
      at: new Date().toISOString(),
    };
    const both = Promise.all([next(onOne, "run:status"), next(onTwo, "run:status")]);
    live.run(runId, "run:status", msg);
    expect(await both).toEqual([msg, msg]);

    // A server-side broadcast from one process also reaches the other's clients (the adapter).
    const fromServer = Promise.all([next(onOne, "run:progress"), next(onTwo, "run:progress")]);
    const progress = { runId, currentProgress: 5, targetValue: 100, at: new Date().toISOString() };
    one.realtime.io.to(`run:${runId}`).emit("run:progress", progress);
    expect(await fromServer).toEqual([progress, progress]);
  });

  it("closes promptly with clients still connected", async () => {
    const r = await startServer();
    const { token } = await tokenFor();
    const socket = client(r.url, { token });
    await connected(socket);
    const disconnected = new Promise<string>((resolve) => socket.once("disconnect", (reason) => resolve(reason)));
    const started = Date.now();
    await new Promise<void>((resolve) => r.http.close(() => resolve()));
    await r.realtime.close();
    running.splice(running.indexOf(r), 1);
    expect(Date.now() - started).toBeLessThan(3000);
    // "transport close", not "io server disconnect": clients must reconnect by themselves.
    expect(await disconnected).toBe("transport close");
  });
});

describe("workspace runs", () => {
  /** A team workspace with `owner`, a member `m` (with a token for sockets) and one public and one workspace run. */
  async function team() {
    const owner = await makeUser();
    const ws = await createWorkspace(db, { userId: owner.id, name: "Socket team" });
    const m = await tokenFor();
    await db.workspaceMember.create({ data: { workspaceId: ws.id, userId: m.user.id, role: "viewer" } });
    const privateRun = (await makeRun(db, { createdById: owner.id, workspaceId: ws.id, visibility: "workspace" })).runId;
    const publicRun = (await makeRun(db, { createdById: owner.id, workspaceId: ws.id, visibility: "public" })).runId;
    return { owner, ws, m, privateRun, publicRun };
  }

  /** Waits (up to 5 s) until no socket of any server is in the run's room. */
  async function roomEmptied(servers: Running[], runId: string) {
    for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 25))) {
      const left = await Promise.all(servers.map((s) => s.realtime.io.local.in(rooms.run(runId)).fetchSockets()));
      if (left.every((l) => l.length === 0)) return true;
    }
    return false;
  }

  it("lets members and site operators watch a workspace run, and refuses anyone else as if it did not exist", async () => {
    const { url } = await startServer();
    const { m, privateRun, publicRun } = await team();
    const outsider = await tokenFor();
    const operator = await makeUser({ role: "operator" });
    const operatorToken = (await createApiToken(db, operator.id, "realtime test")).token;
    const [member, stranger, op] = [
      client(url, { token: m.token }),
      client(url, { token: outsider.token }),
      client(url, { token: operatorToken }),
    ];
    await Promise.all([connected(member), connected(stranger), connected(op)]);

    expect((await subscribe(member, privateRun)).ok).toBe(true);
    expect(await subscribe(stranger, privateRun)).toEqual({ ok: false, error: expect.stringMatching(/no such run/) });
    expect((await subscribe(op, privateRun)).ok).toBe(true);
    expect((await subscribe(stranger, publicRun)).ok).toBe(true);
  });

  it("makes a removed member's sockets, on every server, leave the workspace's private runs but not its public ones", async () => {
    const one = await startServer();
    const two = await startServer();
    const { owner, ws, m, privateRun, publicRun } = await team();
    const onOne = client(one.url, { token: m.token });
    const onTwo = client(two.url, { token: m.token });
    await Promise.all([connected(onOne), connected(onTwo)]);
    for (const s of [onOne, onTwo]) {
      expect((await subscribe(s, privateRun)).ok).toBe(true);
      expect((await subscribe(s, publicRun)).ok).toBe(true);
    }

    await removeMember({ actorId: owner.id, workspaceId: ws.id, userId: m.user.id });
    expect(await roomEmptied([one, two], privateRun)).toBe(true);

    const event = { runId: privateRun, seq: 1, kind: "log", payload: { message: "private" }, createdAt: new Date().toISOString() };
    const strayed = Promise.all([arrives(onOne, "run:events", 500), arrives(onTwo, "run:events", 500)]);
    live.run(privateRun, "run:events", { runId: privateRun, events: [event] });
    expect(await strayed).toEqual([false, false]);
    // The public run of the same workspace still reaches them.
    const stillPublic = Promise.all([next(onOne, "run:events"), next(onTwo, "run:events")]);
    live.run(publicRun, "run:events", { runId: publicRun, events: [{ ...event, runId: publicRun }] });
    expect((await stillPublic).map((msg) => msg.runId)).toEqual([publicRun, publicRun]);
    // And subscribing again is refused.
    expect((await subscribe(onOne, privateRun)).ok).toBe(false);
  });

  it("sends a workspace run's arena updates to its members and site operators only, and stops when a member leaves", async () => {
    const r = await startServer();
    const { owner, ws, m, privateRun, publicRun } = await team();
    const outsider = await tokenFor();
    const operator = await makeUser({ role: "operator" });
    const operatorToken = (await createApiToken(db, operator.id, "realtime test")).token;
    const [member, stranger, op] = [
      client(r.url, { token: m.token }),
      client(r.url, { token: outsider.token }),
      client(r.url, { token: operatorToken }),
    ];
    await Promise.all([connected(member), connected(stranger), connected(op)]);
    for (const s of [member, stranger, op]) expect(await s.timeout(5000).emitWithAck("arena:subscribe")).toEqual({ ok: true });

    const progress = (runId: string, currentProgress: number) => ({
      runId,
      currentProgress,
      targetValue: 100,
      at: new Date().toISOString(),
    });
    const toMember = next(member, "run:progress");
    const toOperator = next(op, "run:progress");
    const toStranger = arrives(stranger, "run:progress", 500);
    live.runAndArena(privateRun, "run:progress", progress(privateRun, 1));
    expect((await toMember).runId).toBe(privateRun);
    expect((await toOperator).runId).toBe(privateRun);
    expect(await toStranger).toBe(false);
    // A public run's updates reach everyone in the arena.
    const publicToStranger = next(stranger, "run:progress");
    live.runAndArena(publicRun, "run:progress", progress(publicRun, 2));
    expect((await publicToStranger).runId).toBe(publicRun);

    await removeMember({ actorId: owner.id, workspaceId: ws.id, userId: m.user.id });
    for (let deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((res) => setTimeout(res, 25))) {
      if ((await r.realtime.io.local.in(rooms.workspaceArena(ws.id)).fetchSockets()).length === 0) break;
    }
    expect(await r.realtime.io.local.in(rooms.workspaceArena(ws.id)).fetchSockets()).toEqual([]);
    const late = arrives(member, "run:progress", 500);
    live.runAndArena(privateRun, "run:progress", progress(privateRun, 3));
    expect(await late).toBe(false);
  });

  it("keeps a member whose role changes but who still belongs", async () => {
    const r = await startServer();
    const { owner, ws, m, privateRun } = await team();
    const socket = client(r.url, { token: m.token });
    await connected(socket);
    expect((await subscribe(socket, privateRun)).ok).toBe(true);
    await setMemberRole({ actorId: owner.id, workspaceId: ws.id, userId: m.user.id, role: "member" });
    // The re-check is announced and done; the socket is still in the room.
    expect(await recheckRunRooms(r.realtime.io, db, m.user.id)).toBe(0);
    const got = next(socket, "run:progress");
    const msg = { runId: privateRun, currentProgress: 3, targetValue: 100, at: new Date().toISOString() };
    live.run(privateRun, "run:progress", msg);
    expect(await got).toEqual(msg);
  });
});
