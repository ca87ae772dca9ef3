// Joins the workspace's room while a work page is open: task:update (the changes of one moment)
// patches the cached task lists in place (a new task, or one whose other fields changed, costs one
// refetch), and reconnecting rejoins and reads again whatever was missed. pipeline:update and
// batch:update arrive in the same room (use-live-pipelines.ts).
import { useEffect } from "react";
import { trpc } from "../trpc";
import { getSocket } from "./socket";

export function useLiveWorkspace(workspaceId: string | undefined) {
  const utils = trpc.useUtils();
  useEffect(() => {
    if (!workspaceId) return;
    const socket = getSocket();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let joinedOnce = false;
    const refetchSoon = () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        void utils.task.list.invalidate();
      }, 400);
    };
    const join = () => {
      socket.emit("workspace:subscribe", { workspaceId });
      if (joinedOnce) refetchSoon();
      joinedOnce = true;
    };
    const onTasks: Parameters<typeof socket.on<"task:update">>[1] = ({ workspaceId: of, updates }) => {
      if (of !== workspaceId) return;
      for (const msg of updates) {
        let found = false;
        utils.task.list.setData({ projectId: msg.projectId, limit: 500 }, (prev) =>
          prev?.map((t) => {
            if (t.id !== msg.taskId) return t;
            found = true;
            return {
              ...t,
              status: msg.status,
              priority: msg.priority,
              assignedAgentId: msg.assignedAgentId,
              attemptCount: msg.attemptCount,
            };
          }),
        );
        if (!found) refetchSoon();
        void utils.task.get.invalidate({ id: msg.taskId });
      }
    };
    socket.on("task:update", onTasks);
    socket.on("connect", join);
    if (socket.connected) join();
    return () => {
      if (timer) clearTimeout(timer);
      socket.off("task:update", onTasks);
      socket.off("connect", join);
      if (socket.connected) socket.emit("workspace:unsubscribe", { workspaceId });
    };
  }, [workspaceId, utils]);
}
