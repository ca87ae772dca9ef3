// The workspace the user is working in: chosen in the header, kept in localStorage so it survives
// reloads, and read by every page that launches or lists within a workspace. Until the user picks
// one (or when the stored one is no longer theirs) it is their personal workspace. A workspace where
// the user is a client is not one to work in: it is left out, and `isClient` leads to the portal.
import { useCallback, useSyncExternalStore } from "react";
import { trpc } from "../trpc";

const KEY = "paddock.workspace";
const listeners = new Set<() => void>();

function read(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null; // storage disabled: the choice lasts for the page only
  }
}

let memory: string | null = null;

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

function snapshot(): string | null {
  return read() ?? memory;
}

export function useCurrentWorkspace() {
  const list = trpc.workspace.list.useQuery(undefined, { staleTime: 60_000 });
  const stored = useSyncExternalStore(subscribe, snapshot);
  const all = list.data ?? [];
  const workspaces = all.filter((w) => w.role !== "client");
  const isClient = all.some((w) => w.role === "client");
  const current = workspaces.find((w) => w.id === stored) ?? workspaces.find((w) => w.personal) ?? workspaces[0] ?? null;
  const select = useCallback((id: string) => {
    memory = id;
    try {
      localStorage.setItem(KEY, id);
    } catch {
      /* kept in memory */
    }
    for (const l of listeners) l();
  }, []);
  return { workspaces, current, select, isClient, isPending: list.isPending };
}
