// task:update goes to the workspace's room, which only its members may join.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io as connect, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents, TaskUpdateMessage } from "@shared/realtime";
import { startTestPaddock } from "../test/paddock-harness";

const { makeUser } = await import("../test/helpers");
const { createApiToken } = await import("../domain/users");
const { db } = await import("../lib/db");

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
let api: Awaited<ReturnType<typeof startTestPaddock>>;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  api = await startTestPaddock({}, "api");
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await api?.stop();
});

async function socketFor(userId: string): Promise<ClientSocket> {
  const { token } = await createApiToken(db, userId, "task updates test");
  const socket: ClientSocket = connect(api.url, {
    path: "/socket.io",
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    auth: { token },
  });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
  return socket;
}

const nextUpdate = (s: ClientSocket, ms: number) =>
  new Promise<TaskUpdateMessage | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    s.once("task:update", (m) => {
      clearTimeout(timer);
      resolve(m);
    });
  });

describe("task:update", () => {
  it("reaches the workspace's members, viewers included, and nobody else", async () => {
    const owner = await makeUser();
    const viewer = await makeUser();
    const outsider = await makeUser();
    const workspaceId = (await owner.caller.workspace.create({ name: "Live" })).id;
    await db.workspaceMember.create({ data: { workspaceId, userId: viewer.id, role: "viewer" } });
    const [v, o] = await Promise.all([socketFor(viewer.id), socketFor(outsider.id)]);
    expect(await v.timeout(5000).emitWithAck("workspace:subscribe", { workspaceId })).toEqual({ ok: true });
    expect(await o.timeout(5000).emitWithAck("workspace:subscribe", { workspaceId })).toMatchObject({ ok: false });

    const project = await owner.caller.project.create({ workspaceId, name: "Board" });
    const seen = nextUpdate(v, 5000);
    const strayed = nextUpdate(o, 1000);
    const task = await owner.caller.task.create({ projectId: project.id, title: "Watched", status: "ready" });
    expect(await seen).toMatchObject({ taskId: task.id, projectId: project.id, workspaceId, status: "ready" });
    expect(await strayed).toBeNull();
  });
});
