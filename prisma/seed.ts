// Demo data: `npm run db:seed` (idempotent), or automatically by `npm start` on an empty database
// (`--if-empty`). Sign in as demo@paddock.local / paddock-demo.
import { db } from "../server/lib/db";
import { config } from "../server/config";
import { registerUser } from "../server/domain/users";
import { seedDemoWorld } from "../server/seed/demo";
import { closeQueues } from "../server/jobs/queues";
import { closeAllRedis } from "../server/lib/redis";
import { closePgPool } from "../server/lib/pg";

const ifEmpty = process.argv.includes("--if-empty");
if (ifEmpty && (await db.user.count()) > 0) {
  await db.$disconnect();
  process.exit(0);
}

const people = [
  { email: "demo@paddock.local", name: "Demo Admin", password: "paddock-demo" },
  { email: "olive@paddock.local", name: "Olive Operator", password: "paddock-demo" },
  { email: "max@paddock.local", name: "Max Member", password: "paddock-demo" },
];
// The demo admin is admin only when the seed fills an empty database (a local start): seeding an
// installation that already has users never hands admin to an account with a published password.
const emptyDatabase = (await db.user.count()) === 0;
for (const p of people) {
  const existing = await db.user.findUnique({ where: { email: p.email }, select: { id: true } });
  const role = emptyDatabase && p.email === "demo@paddock.local" ? "admin" : "member";
  if (!existing) await registerUser(db, { ...p, role, signupGrantCents: config.SIGNUP_GRANT_CENTS });
}
await db.user.update({ where: { email: "olive@paddock.local" }, data: { role: "operator" } });
await seedDemoWorld(db);
console.error("[paddock] demo data ready (sign in as demo@paddock.local / paddock-demo)");
await closeQueues();
await closeAllRedis();
await closePgPool();
await db.$disconnect();
