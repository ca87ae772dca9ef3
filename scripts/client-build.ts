// Builds the client (for `npm start` and the browser tests) when dist/client is missing or older
// than its sources.
// Test files run in parallel; a lock directory makes sure only one builds at a time.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { spawn } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const BUILT = path.join(ROOT, "dist", "client", "index.html");
const LOCK = path.join(ROOT, "dist", ".client-build.lock");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export function clientIsStale(): boolean {
  if (!existsSync(BUILT)) return true;
  const sources = Math.max(
    newestMtime(path.join(ROOT, "client")),
    newestMtime(path.join(ROOT, "shared")),
    statSync(path.join(ROOT, "vite.config.ts")).mtimeMs,
  );
  return sources > statSync(BUILT).mtimeMs;
}

function viteBuild(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, "node_modules", ".bin", "vite"), ["build", "--logLevel", "error"], {
      cwd: ROOT,
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`vite build failed (exit ${code})`))));
    child.on("error", reject);
  });
}

export async function ensureClientBuilt(timeoutMs = 120_000): Promise<void> {
  if (!clientIsStale()) return;
  mkdirSync(path.dirname(LOCK), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // Someone else is building; a lock older than the timeout belongs to a dead process.
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > timeoutMs) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error("timed out waiting for another client build");
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (clientIsStale()) await viteBuild();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
