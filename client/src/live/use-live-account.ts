// The signed-in user's private room: balance changes patch user.me in place.
import { useEffect } from "react";
import { trpc } from "../trpc";
import { getSocket } from "./socket";

export function useLiveAccount(enabled: boolean) {
  const utils = trpc.useUtils();
  useEffect(() => {
    if (!enabled) return;
    const socket = getSocket();
    let historyTimer: ReturnType<typeof setTimeout> | undefined;
    let reconnected = false;
    const onBalance: Parameters<typeof socket.on<"balance:update">>[1] = (msg) => {
      utils.user.me.setData(undefined, (prev) => (prev ? { ...prev, balance: msg.balance } : prev));
      // The ledger page, if open, shows the new entry; bursts of payouts cost one read.
      historyTimer ??= setTimeout(() => {
        historyTimer = undefined;
        void utils.user.ledger.invalidate();
        // Whether a Stripe refund left the account overdrawn (billing.status) changes with the balance.
        void utils.billing.status.invalidate();
      }, 1000);
    };
    const onConnect = () => {
      if (reconnected) void utils.user.me.invalidate();
      reconnected = true;
    };
    socket.on("balance:update", onBalance);
    socket.on("connect", onConnect);
    if (socket.connected) reconnected = true;
    return () => {
      if (historyTimer) clearTimeout(historyTimer);
      socket.off("balance:update", onBalance);
      socket.off("connect", onConnect);
    };
  }, [enabled, utils]);
}
