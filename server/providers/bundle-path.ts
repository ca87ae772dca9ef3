// Bundle paths come from run configuration, so both providers check them the same way before
// writing anything: a path must stay inside the sandbox working directory.
import path from "node:path";

/** Returns `p` normalized (e.g. "a/./b" → "a/b"), or throws if it is absolute or leaves the directory. */
export function normalizeBundlePath(p: string): string {
  if (p.length === 0 || p.includes("\0")) {
    throw new Error(`Invalid bundle file path ${JSON.stringify(p)}: it must be a non-empty relative path`);
  }
  if (path.posix.isAbsolute(p)) {
    throw new Error(`Invalid bundle file path "${p}": it must be relative to the sandbox working directory`);
  }
  const normalized = path.posix.normalize(p);
  if (normalized === "." || normalized === ".." || normalized.startsWith("../")) {
    throw new Error(`Invalid bundle file path "${p}": it must name a file inside the sandbox working directory`);
  }
  return normalized;
}
