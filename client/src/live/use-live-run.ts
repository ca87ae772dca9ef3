// Watches one run: joins its room, seeds the feed from run.get, merges live events, patches
// progress / status / pool into the run.get cache, and catches up with `afterSeq` after
// every reconnect (the server replays what was stored while we were away).
import { useEffect, useState } from "react";
import type { BetPlacedMessage } from "@shared/realtime";
import { isTerminalRun } from "@shared/run-status";
import { trpc, type RouterOutputs } from "../trpc";
import { getSocket } from "./socket";
import { feedStoreFor, type FeedStore } from "./feed-store";
import { createFrameBatch } from "./frame-batch";
import { applyPatch, mergePatches, patchFromPool, patchFromProgress, patchFromStatus, type RunPatch } from "./run-patches";

export type RunDetail = RouterOutputs["run"]["get"];

/** How many of the bets placed since the page opened are kept. */
const RECENT_BETS = 20;

export interface LiveRun {
  store: FeedStore;
  /** Why the room could not be joined, if it could not. */
  subscribeError: string | null;
  /** Bets placed by anyone since the page opened, newest first. */
  recentBets: BetPlacedMessage[];
}

export function useLiveRun(runId: string, run: RunDetail | undefined): LiveRun {
  const utils = trpc.useUtils();
  const store = feedStoreFor(runId);
  const [subscribeError, setSubscribeError] = useState<string | null>(null);
  const [recentBets, setRecentBets] = useState<BetPlacedMessage[]>([]);
  const ready = run !== undefined;

  // Seed (and re-seed after refetches) the feed from the newest events run.get returned.
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
      const patch = batch.get(runId);
      if (patch) utils.run.get.setData({ id: runId }, (prev) => (prev ? applyPatch(prev, patch) : prev));
    }, mergePatches);

    const subscribe = () => {
      const reconnect = subscribedOnce;
      subscribedOnce = true;
      socket.emit("run:subscribe", { runId, afterSeq: store.get().lastSeq }, (ack) => {
        if (disposed) return;
        if (!ack.ok) {
          setSubscribeError(ack.error);
          return;
        }
        setSubscribeError(null);
        if (ack.more) {
          // Too much happened while away to replay: restart the feed from the newest page.
          store.reset();
          void utils.run.get.invalidate({ id: runId });
          return;
        }
        store.merge(ack.missed);
      });
      if (reconnect) {
        // Progress, status and the pool may have moved while disconnected: one fresh read.
        void utils.run.get.invalidate({ id: runId });
        void utils.betting.myBets.invalidate();
      }
    };

    // Emails, payments and artifacts are listed in full by run.get; their events only say
    // that one arrived. A burst of them costs one read.
    let detailTimer: ReturnType<typeof setTimeout> | undefined;
    const refreshDetailSoon = () => {
      detailTimer ??= setTimeout(() => {
        detailTimer = undefined;
        void utils.run.get.invalidate({ id: runId });
      }, 1500);
    };
    // One message per stored batch (the bridge accepts events in batches), in sequence order.
    const onEvents: Parameters<typeof socket.on<"run:events">>[1] = (msg) => {
      if (msg.runId !== runId) return;
      store.push(msg.events);
      if (msg.events.some((e) => e.kind === "email" || e.kind === "payment" || e.kind === "screenshot")) refreshDetailSoon();
    };
    const onProgress: Parameters<typeof socket.on<"run:progress">>[1] = (msg) => {
      if (msg.runId === runId) patches.add(runId, patchFromProgress(msg));
    };
    const onStatus: Parameters<typeof socket.on<"run:status">>[1] = (msg) => {
      if (msg.runId !== runId) return;
      patches.add(runId, patchFromStatus(msg));
      if (isTerminalRun(msg.status)) {
        // finishedAt, the settled pool and payouts come with the final read.
        setTimeout(() => {
          void utils.run.get.invalidate({ id: runId });
          void utils.betting.myBets.invalidate();
        }, 300);
      }
    };
    const onPool: Parameters<typeof socket.on<"pool:update">>[1] = (msg) => {
      if (msg.runId !== runId) return;
      patches.add(runId, patchFromPool(msg));
      if (msg.status === "settled" || msg.status === "refunded") void utils.betting.myBets.invalidate();
    };
    const onBets: Parameters<typeof socket.on<"bets:placed">>[1] = (msg) => {
      if (msg.runId !== runId) return;
      // The message lists bets oldest first; the panel shows the newest first.
      const newest = msg.bets.slice(-RECENT_BETS).reverse();
      setRecentBets((prev) => [...newest, ...prev].slice(0, RECENT_BETS));
    };

    socket.on("run:events", onEvents);
    socket.on("run:progress", onProgress);
    socket.on("run:status", onStatus);
    socket.on("pool:update", onPool);
    socket.on("bets:placed", onBets);
    socket.on("connect", subscribe);
    if (socket.connected) subscribe();

    return () => {
      disposed = true;
      patches.cancel();
      if (detailTimer) clearTimeout(detailTimer);
      socket.off("run:events", onEvents);
      socket.off("run:progress", onProgress);
      socket.off("run:status", onStatus);
      socket.off("pool:update", onPool);
      socket.off("bets:placed", onBets);
      socket.off("connect", subscribe);
      if (socket.connected) socket.emit("run:unsubscribe", { runId });
    };
  }, [ready, runId, store, utils]);

  return { store, subscribeError, recentBets };
}
