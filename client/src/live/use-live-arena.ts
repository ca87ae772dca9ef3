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
        void utils.sandbox.list.invalidate();
        void utils.sandbox.compare.invalidate();
      }, 500);
    };

    const subscribe = () => {
      socket.emit("arena:subscribe");
      if (subscribedOnce) refetchSoon();
      subscribedOnce = true;
    };
    const onProgress: Parameters<typeof socket.on<"sandbox:progress">>[1] = (m) => patches.add(m.sandboxId, patchFromProgress(m));
    const onStatus: Parameters<typeof socket.on<"sandbox:status">>[1] = (m) => patches.add(m.sandboxId, patchFromStatus(m));
    const onPool: Parameters<typeof socket.on<"pool:update">>[1] = (m) => patches.add(m.sandboxId, patchFromPool(m));

    socket.on("sandbox:progress", onProgress);
    socket.on("sandbox:status", onStatus);
    socket.on("pool:update", onPool);
    socket.on("sandbox:created", refetchSoon);
    socket.on("connect", subscribe);
    if (socket.connected) subscribe();
    return () => {
      patches.cancel();
      if (refetchTimer) clearTimeout(refetchTimer);
      socket.off("sandbox:progress", onProgress);
      socket.off("sandbox:status", onStatus);
      socket.off("pool:update", onPool);
      socket.off("sandbox:created", refetchSoon);
      socket.off("connect", subscribe);
      if (socket.connected) socket.emit("arena:unsubscribe");
    };
  }, [queryClient, utils]);
}
