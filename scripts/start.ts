// `npm start`: finds or starts PostgreSQL and Redis, applies migrations, seeds demo data on an
// empty database, builds the client if needed, and runs Paddock on http://localhost:3000.
import path from "node:path";
import { ensureServices, projectRoot, runWithEnv } from "./services";
import { clientIsStale, ensureClientBuilt } from "./client-build";

const bin = (name: string) => path.join(projectRoot, "node_modules", ".bin", name);

const services = await ensureServices();
const env = { ...process.env, DATABASE_URL: services.databaseUrl, REDIS_URL: services.redisUrl };
const fail = async (what: string, code: number) => {
  console.error(`[paddock] ${what} failed (exit ${code})`);
  await services.stop();
  process.exit(code);
};

if (clientIsStale()) {
  console.error("[paddock] building the client…");
  await ensureClientBuilt().catch(async (e: unknown) => {
    console.error(`[paddock] ${e instanceof Error ? e.message : String(e)}`);
    await fail("building the client", 1);
  });
}
let code = await runWithEnv(bin("prisma"), ["migrate", "deploy"], { ...env, PRISMA_HIDE_UPDATE_MESSAGE: "1" });
if (code !== 0) await fail("applying migrations", code);
if (process.env.SEED_DEMO !== "false") {
  code = await runWithEnv(bin("tsx"), ["prisma/seed.ts", "--if-empty"], env);
  if (code !== 0) await fail("seeding demo data", code);
}

// The outreach pipeline's render step needs a render service: without one configured, a local
// stand-in runs in this process (it stops with it).
if (!process.env.RENDER_SERVICE_URL) {
  const { startRenderStandin } = await import("../server/providers/render-standin");
  const render = await startRenderStandin({ delayMs: 5_000 });
  Object.assign(env, {
    RENDER_SERVICE_URL: render.url,
    RENDER_SERVICE_API_KEY: render.apiKey,
    RENDER_WEBHOOK_SECRET: render.webhookSecret,
  });
  console.error(`[paddock] render service stand-in on ${render.url}`);
}

// Paddock itself runs in this process so signals reach it directly.
Object.assign(process.env, env);
const { startPaddock } = await import("../server/main");
const paddock = await startPaddock();
console.error(`[paddock] ready on ${paddock.url ?? "(worker only)"} — demo sign-in: demo@paddock.local / paddock-demo`);
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    setTimeout(() => process.exit(1), 20_000).unref();
    void paddock
      .stop()
      .then(() => services.stop())
      .then(() => process.exit(0));
  });
}
