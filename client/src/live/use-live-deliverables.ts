// Keeps the review pages current: deliverable:update (a new version, a decision) and sla:alert (a
// clock at risk, breached or met) arrive in the workspace's room, and each refetches what shows
// deliverables and clocks. Messages in one burst (a batch approval) cost one refetch. Reconnecting
// reads again whatever was missed. Joining the room is useLiveWorkspace's (task:update as well).
import { useEffect } from "react";
import { trpc } from "../trpc";
import { getSocket } from "./socket";
import { useLiveWorkspace } from "./use-live-workspace";

const BURST_MS = 150;

export function useLiveDeliverables(workspaceId: string | undefined) {
  useLiveWorkspace(workspaceId);
  const utils = trpc.useUtils();
  useEffect(() => {
    if (!workspaceId) return;
    const socket = getSocket();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let connectedBefore = socket.connected;
    const refetchSoon = () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        void utils.deliverable.invalidate();
        void utils.sla.invalidate();
      }, BURST_MS);
    };
    const onMessage = (msg: { workspaceId: string }) => {
      if (msg.workspaceId === workspaceId) refetchSoon();
    };
    const onConnect = () => {
      if (connectedBefore) refetchSoon();
      connectedBefore = true;
    };
    socket.on("deliverable:update", onMessage);
    socket.on("sla:alert", onMessage);
    socket.on("connect", onConnect);
    return () => {
      if (timer) clearTimeout(timer);
      socket.off("deliverable:update", onMessage);
      socket.off("sla:alert", onMessage);
      socket.off("connect", onConnect);
    };
  }, [workspaceId, utils]);
}
