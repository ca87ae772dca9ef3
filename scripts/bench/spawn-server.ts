// Runs Paddock's API in its own process for benchmarks, so the load generator does not share
// its event loop with the server it measures.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { projectRoot } from "../services";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function spawnServer(
  role: "api" | "all",
  env: Record<string, string> = {},
): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_SERVER_PROFILE ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_SERVER_PROFILE] : []),
      "--import",
      "tsx",
      "server/main.ts",
    ],
    {
      cwd: projectRoot,
      env: { ...process.env, PADDOCK_ROLE: role, PORT: String(port), HOST: "127.0.0.1", ...env },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, child);
  return { url, child, stop: () => stopChild(child) };
}

/** Waits until the API at `url` answers /api/health with 200; fails fast if `child` exits first. */
export async function waitHealthy(url: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`);
    const ok = await fetch(`${url}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`the server did not become healthy in ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** SIGTERM (Paddock's graceful shutdown), resolved once the process has exited. */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
