// Applying socket messages to cached run data in place: the run detail (run.get) and every
// cached list of run summaries (run.list pages, run.compare). No refetch.
import type { QueryClient } from "@tanstack/react-query";
import { getQueryKey } from "@trpc/react-query";
import type { PoolUpdateMessage, RunProgressMessage, RunStatusMessage } from "@shared/realtime";
import { trpc } from "../trpc";

/** The fields every cached run shape shares and the socket messages can update. */
export interface PatchableRun {
  id: string;
  currentProgress: number;
  targetValue: number;
  status: string;
  statusReason: string | null;
  error: string | null;
  startedAt: Date | null;
  expiresAt: Date | null;
  finishedAt: Date | null;
  pool: {
    yesTotal: number;
    noTotal: number;
    betCount: number;
    status: string;
    outcome: string | null;
    lockReason: string | null;
  } | null;
}

export type RunPatch = Partial<
  Pick<PatchableRun, "currentProgress" | "targetValue" | "status" | "statusReason" | "error" | "startedAt" | "expiresAt" | "finishedAt">
> & {
  pool?: Partial<NonNullable<PatchableRun["pool"]>>;
};

export const patchFromProgress = (m: RunProgressMessage): RunPatch => ({
  currentProgress: m.currentProgress,
  targetValue: m.targetValue,
});
export const patchFromStatus = (m: RunStatusMessage): RunPatch => ({
  status: m.status,
  statusReason: m.statusReason,
  error: m.error,
  startedAt: m.startedAt ? new Date(m.startedAt) : null,
  expiresAt: m.expiresAt ? new Date(m.expiresAt) : null,
  finishedAt: m.finishedAt ? new Date(m.finishedAt) : null,
});
export const patchFromPool = (m: PoolUpdateMessage): RunPatch => ({
  pool: { yesTotal: m.yesTotal, noTotal: m.noTotal, betCount: m.betCount, status: m.status, outcome: m.outcome, lockReason: m.lockReason },
});

export function mergePatches(prev: RunPatch | undefined, next: RunPatch): RunPatch {
  if (!prev) return next;
  return { ...prev, ...next, ...(prev.pool || next.pool ? { pool: { ...prev.pool, ...next.pool } } : {}) };
}

export function applyPatch<T extends PatchableRun>(run: T, patch: RunPatch): T {
  const { pool, ...fields } = patch;
  return {
    ...run,
    ...fields,
    ...(pool && run.pool ? { pool: { ...run.pool, ...pool } } : {}),
  };
}

function patchList(data: unknown, patches: Map<string, RunPatch>): unknown {
  if (!data || typeof data !== "object") return data;
  const d = data as { pages?: unknown[]; items?: PatchableRun[]; runs?: PatchableRun[] };
  if (Array.isArray(d.pages)) {
    let changed = false;
    const pages = d.pages.map((p) => {
      const next = patchList(p, patches);
      if (next !== p) changed = true;
      return next;
    });
    return changed ? { ...d, pages } : data;
  }
  for (const key of ["items", "runs"] as const) {
    const list = d[key];
    if (Array.isArray(list) && list.some((r) => patches.has(r.id))) {
      return { ...d, [key]: list.map((r) => (patches.has(r.id) ? applyPatch(r, patches.get(r.id)!) : r)) };
    }
  }
  return data;
}

/** Patches every cached list of runs that holds one of the patched runs. */
export function patchRunLists(queryClient: QueryClient, patches: Map<string, RunPatch>) {
  for (const procedure of [trpc.run.list, trpc.run.compare]) {
    queryClient.setQueriesData({ queryKey: getQueryKey(procedure) }, (old: unknown) => patchList(old, patches));
  }
}
