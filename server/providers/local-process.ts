// Process inspection for the local provider. A sandbox's process is identified by its pid AND its
// start time, because a worker restarted hours later must not mistake a recycled pid for the agent
// (and must never signal a stranger's process group).
//
// Linux reads /proc directly; other systems (macOS development machines) fall back to `ps`.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

export interface ProcessIdentity {
  pid: number;
  /** Opaque start-time token: clock ticks since boot on Linux, `ps -o lstart` text elsewhere. */
  startTime: string;
}

interface ProcessInfo {
  startTime: string;
  processGroup: number;
  zombie: boolean;
}

const hasProc = process.platform === "linux";

/** Reads /proc/<pid>/stat. The command name (field 2) may contain spaces and parentheses, so
 *  fields are counted from the last ')'. */
function readProcStat(pid: number): ProcessInfo | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After the name: [0] state, [2] process group, [19] start time (fields 3, 5 and 22 of proc(5)).
  const state = fields[0];
  const group = Number(fields[2]);
  const startTime = fields[19];
  if (state === undefined || startTime === undefined || !Number.isInteger(group)) return null;
  return { startTime, processGroup: group, zombie: state === "Z" || state === "X" };
}

function readPsInfo(pid: number): ProcessInfo | null {
  try {
    const out = execFileSync("ps", ["-o", "stat=,pgid=,lstart=", "-p", String(pid)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    const match = /^(\S+)\s+(\d+)\s+(.+)$/.exec(out);
    if (!match) return null;
    return { startTime: match[3]!, processGroup: Number(match[2]), zombie: match[1]!.startsWith("Z") };
  } catch {
    return null; // ps exits non-zero when the pid does not exist
  }
}

function readProcessInfo(pid: number): ProcessInfo | null {
  return hasProc ? readProcStat(pid) : readPsInfo(pid);
}

/** Identity of a process that exists now (call it synchronously right after spawn). */
export function identifyProcess(pid: number): ProcessIdentity | null {
  const info = readProcessInfo(pid);
  return info ? { pid, startTime: info.startTime } : null;
}

/** True while that exact process (not a later one reusing its pid) is alive and not a zombie. */
export function isProcessAlive(id: ProcessIdentity): boolean {
  const info = readProcessInfo(id.pid);
  return info !== null && !info.zombie && info.startTime === id.startTime;
}

/** True while any non-zombie process belongs to process group `pgid`. Zombies are ignored
 *  because in a container whose PID 1 does not reap orphans they never disappear. */
function groupHasLiveMembers(pgid: number): boolean {
  if (!hasProc) {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === "EPERM";
    }
  }
  // Synchronous on purpose: /proc is in memory, a scan takes well under a millisecond per entry.
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readProcStat(Number(entry));
    if (info && !info.zombie && info.processGroup === pgid) return true;
  }
  return false;
}

/**
 * Whether the group led by `leader` (the sandbox command, started with its own process group)
 * is still ours. If the leader's pid exists with another start time, the pid was recycled and
 * the group is someone else's. If the leader is gone but members remain, they are our orphans:
 * the kernel does not hand out a pid while a process group with that id still exists.
 */
function groupBelongsTo(leader: ProcessIdentity): boolean {
  const info = readProcessInfo(leader.pid);
  if (info) return info.startTime === leader.startTime;
  return groupHasLiveMembers(leader.pid);
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

async function waitUntilGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!groupHasLiveMembers(pgid)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Kills the whole process group led by `leader`: SIGTERM, then SIGKILL after `graceMs`, and
 * resolves once no member is left. Does nothing if the group is already gone or not ours.
 */
export async function killProcessGroup(leader: ProcessIdentity, graceMs: number): Promise<void> {
  if (!groupBelongsTo(leader)) return;
  signalGroup(leader.pid, "SIGTERM");
  if (await waitUntilGroupGone(leader.pid, graceMs)) return;
  signalGroup(leader.pid, "SIGKILL");
  const killWaitMs = 5_000;
  if (!(await waitUntilGroupGone(leader.pid, killWaitMs))) {
    throw new Error(`Process group ${leader.pid} still has live members ${killWaitMs} ms after SIGKILL`);
  }
}
