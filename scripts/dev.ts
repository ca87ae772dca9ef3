// `npm run dev`: the API (server/main.ts under `tsx watch`, restarted on server changes) and the
// Vite dev server (client with HMR, proxying /trpc, /api and /socket.io to the API), together.
// Services are found or started like `npm start` does; migrations are applied and an empty
// database gets the demo data.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { ensureServices, projectRoot, runWithEnv } from "./services";

const bin = (name: string) => path.join(projectRoot, "node_modules", ".bin", name);
const apiPort = Number(process.env.PORT ?? 3000);
const vitePort = Number(process.env.VITE_PORT ?? 5173);

const services = await ensureServices();
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: process.env.NODE_ENV ?? "development",
  DATABASE_URL: services.databaseUrl,
  REDIS_URL: services.redisUrl,
  PORT: String(apiPort),
};

async function step(what: string, command: string, args: string[]) {
  const code = await runWithEnv(command, args, { ...env, PRISMA_HIDE_UPDATE_MESSAGE: "1" });
  if (code !== 0) {
    console.error(`[paddock] ${what} failed (exit ${code})`);
    await services.stop();
    process.exit(code);
  }
}

await step("applying migrations", bin("prisma"), ["migrate", "deploy"]);
if (process.env.SEED_DEMO !== "false") await step("seeding demo data", bin("tsx"), ["prisma/seed.ts", "--if-empty"]);

const children: ChildProcess[] = [];
let stopping = false;

function run(name: string, command: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const child = spawn(command, args, { cwd: projectRoot, env: { ...env, ...extraEnv }, stdio: "inherit" });
  children.push(child);
  child.on("exit", (code, signal) => {
    if (stopping) return;
    console.error(`[paddock] ${name} exited (${signal ?? code}); stopping dev`);
    void stop(code ?? 1);
  });
  return child;
}

// The API serves no client in dev: Vite does, with HMR.
run("api", bin("tsx"), ["watch", "--clear-screen=false", "--include", "shared/**/*.ts", "server/main.ts"], { SERVE_CLIENT: "false" });
run("vite", bin("vite"), ["--port", String(vitePort), "--strictPort"], { PADDOCK_API_URL: `http://localhost:${apiPort}` });

console.error(
  `[paddock] dev: open http://localhost:${vitePort} (API on http://localhost:${apiPort}) — demo sign-in: demo@paddock.local / paddock-demo`,
);

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(1), 15_000).unref();
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
        }),
    ),
  );
  await services.stop();
  process.exit(code);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void stop(0));
