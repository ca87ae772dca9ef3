// Runs a command (a Prisma CLI call, a script) against the discovered or embedded services.
//   tsx scripts/with-services.ts prisma migrate deploy
import path from "node:path";
import { ensureServices, projectRoot, runWithEnv } from "./services";

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error("usage: tsx scripts/with-services.ts <command> [args...]");
  process.exit(2);
}
const services = await ensureServices();
const bin = path.join(projectRoot, "node_modules", ".bin");
const code = await runWithEnv(command, args, {
  ...process.env,
  PATH: `${bin}:${process.env.PATH ?? ""}`,
  DATABASE_URL: services.databaseUrl,
  REDIS_URL: services.redisUrl,
});
await services.stop();
process.exit(code);
