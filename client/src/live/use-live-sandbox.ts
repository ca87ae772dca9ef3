// Watches one run: joins its room, seeds the feed from sandbox.get, merges live events, patches
// progress / status / pool into the sandbox.get cache, and catches up with `afterSeq` after
// every reconnect (the server replays what was stored while we were away).
import { useEffect, useState } from "react";
import type { BetPlacedMessage } from "@shared/realtime";
import { isTerminalRun } from "@shared/run-status";
import { trpc, type RouterOutputs } from "../trpc";
import { getSocket } from "./socket";
import { feedStoreFor, type FeedStore } from "./feed-store";
import { createFrameBatch } from "./frame-batch";
import { applyPatch, mergePatches, patchFromPool, patchFromProgress, patchFromStatus, type RunPatch } from "./run-patches";

export type RunDetail = RouterOutputs["sandbox"]["get"];

/** How many of the bets placed since the page opened are kept. */
const RECENT_BETS = 20;

export interface LiveSandbox {
  store: FeedStore;
  /** Why the room could not be joined, if it could not. */
  subscribeError: string | null;
  /** Bets placed by anyone since the page opened, newest first. */
  recentBets: BetPlacedMessage[];
}

export function useLiveSandbox(sandboxId: string, run: RunDetail | undefined): LiveSandbox {
  const utils = trpc.useUtils();
  const store = feedStoreFor(sandboxId);
  const [subscribeError, setSubscribeError] = useState<string | null>(null);
  const [recentBets, setRecentBets] = useState<BetPlacedMessage[]>([]);
  const ready = run !== undefined;

  // Seed (and re-seed after refetches) the feed from the newest events sandbox.get returned.
  const events = run?.events;
  useEffect(() => {
    if (events) store.seed(events);
  }, [events, store]);

  useEffect(() => {
    if (!ready) return;
    const socket = getSocket();
    let disposed = false;
    let subscribedOnce = false;

    const patches = createFrameBatch<string, RunPatch>((batch) => {
      const patch = batch.get(sandboxId);
      if (patch) utils.sandbox.get.setData({ id: sandboxId }, (prev) => (prev ? applyPatch(prev, patch) : prev));
    }, mergePatches);

    const subscribe = () => {
      const reconnect = subscribedOnce;
      subscribedOnce = true;
      socket.emit("sandbox:subscribe", { sandboxId, afterSeq: store.get().lastSeq }, (ack) => {
        if (disposed) return;
        if (!ack.ok) {
          setSubscribeError(ack.error);
          return;
        }
        setSubscribeError(null);
        if (ack.more) {
          // Too much happened while away to replay: restart the feed from the newest page.
          store.reset();
          void utils.sandbox.get.invalidate({ id: sandboxId });
          return;
        }
        store.merge(ack.missed);
      });
      if (reconnect) {
        // Progress, status and the pool may have moved while disconnected: one fresh read.
        void utils.sandbox.get.invalidate({ id: sandboxId });
        void utils.betting.myBets.invalidate();
      }
    };

    // Emails, payments and artifacts are listed in full by sandbox.get; their events only say
    // that one arrived. A burst of them costs one read.
    let detailTimer: ReturnType<typeof setTimeout> | undefined;
    const refreshDetailSoon = () => {
      detailTimer ??= setTimeout(() => {
        detailTimer = undefined;
        void utils.sandbox.get.invalidate({ id: sandboxId });
      }, 1500);
    };
    // One message per stored batch (the bridge accepts events in batches), in sequence order.
    const onEvents: Parameters<typeof socket.on<"sandbox:events">>[1] = (msg) => {
      if (msg.sandboxId !== sandboxId) return;
      store.push(msg.events);
      if (msg.events.some((e) => e.kind === "email" || e.kind === "payment" || e.kind === "screenshot")) refreshDetailSoon();
    };
    const onProgress: Parameters<typeof socket.on<"sandbox:progress">>[1] = (msg) => {
      if (msg.sandboxId === sandboxId) patches.add(sandboxId, patchFromProgress(msg));
    };
    const onStatus: Parameters<typeof socket.on<"sandbox:status">>[1] = (msg) => {
      if (msg.sandboxId !== sandboxId) return;
      patches.add(sandboxId, patchFromStatus(msg));
      if (isTerminalRun(msg.status)) {
        // finishedAt, the settled pool and payouts come with the final read.
        setTimeout(() => {
          void utils.sandbox.get.invalidate({ id: sandboxId });
          void utils.betting.myBets.invalidate();
        }, 300);
      }
    };
    const onPool: Parameters<typeof socket.on<"pool:update">>[1] = (msg) => {
      if (msg.sandboxId !== sandboxId) return;
      patches.add(sandboxId, patchFromPool(msg));
      if (msg.status === "settled" || msg.status === "refunded") void utils.betting.myBets.invalidate();
    };
    const onBets: Parameters<typeof socket.on<"bets:placed">>[1] = (msg) => {
      if (msg.sandboxId !== sandboxId) return;
      // The message lists bets oldest first; the panel shows the newest first.
      const newest = msg.bets.slice(-RECENT_BETS).reverse();
      setRecentBets((prev) => [...newest, ...prev].slice(0, RECENT_BETS));
    };

    socket.on("sandbox:events", onEvents);
    socket.on("sandbox:progress", onProgress);
    socket.on("sandbox:status", onStatus);
    socket.on("pool:update", onPool);
    socket.on("bets:placed", onBets);
    socket.on("connect", subscribe);
    if (socket.connected) subscribe();

    return () => {
      disposed = true;
      patches.cancel();
      if (detailTimer) clearTimeout(detailTimer);
      socket.off("sandbox:events", onEvents);
      socket.off("sandbox:progress", onProgress);
      socket.off("sandbox:status", onStatus);
      socket.off("pool:update", onPool);
      socket.off("bets:placed", onBets);
      socket.off("connect", subscribe);
      if (socket.connected) socket.emit("sandbox:unsubscribe", { sandboxId });
    };
  }, [ready, sandboxId, store, utils]);

  return { store, subscribeError, recentBets };
}
