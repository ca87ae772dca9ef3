// Keeps every cached list of runs (arena pages, comparisons) current from the arena room.
import { useEffect } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { trpc } from "../trpc";
import { getSocket } from "./socket";
import { createFrameBatch } from "./frame-batch";
import { mergePatches, patchFromPool, patchFromProgress, patchFromStatus, patchRunLists, type RunPatch } from "./run-patches";

export function useLiveArena() {
  const queryClient = useQueryClient();
  const utils = trpc.useUtils();

  useEffect(() => {
    const socket = getSocket();
    let subscribedOnce = false;
    let refetchTimer: ReturnType<typeof setTimeout> | undefined;
    const patches = createFrameBatch<string, RunPatch>((batch) => patchRunLists(queryClient, batch), mergePatches);
    // New runs need their full summary: one list refetch, however many arrive in a burst.
    const refetchSoon = () => {
      if (refetchTimer) return;
      refetchTimer = setTimeout(() => {
        refetchTimer = undefined;
        void utils.run.list.invalidate();
        void utils.run.compare.invalidate();
      }, 500);
    };

    const subscribe = () => {
      socket.emit("arena:subscribe");
      if (subscribedOnce) refetchSoon();
      subscribedOnce = true;
    };
    const onProgress: Parameters<typeof socket.on<"run:progress">>[1] = (m) => patches.add(m.runId, patchFromProgress(m));
    const onStatus: Parameters<typeof socket.on<"run:status">>[1] = (m) => patches.add(m.runId, patchFromStatus(m));
    const onPool: Parameters<typeof socket.on<"pool:update">>[1] = (m) => patches.add(m.runId, patchFromPool(m));

    socket.on("run:progress", onProgress);
    socket.on("run:status", onStatus);
    socket.on("pool:update", onPool);
    socket.on("run:created", refetchSoon);
    socket.on("connect", subscribe);
    if (socket.connected) subscribe();
    return () => {
      patches.cancel();
      if (refetchTimer) clearTimeout(refetchTimer);
      socket.off("run:progress", onProgress);
      socket.off("run:status", onStatus);
      socket.off("pool:update", onPool);
      socket.off("run:created", refetchSoon);
      socket.off("connect", subscribe);
      if (socket.connected) socket.emit("arena:unsubscribe");
    };
  }, [queryClient, utils]);
}
