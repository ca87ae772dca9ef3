import { db } from "../../server/lib/db";
import { placeBet } from "../../server/domain/betting/place-bet";
import pg from "pg";
const sandboxId = "cmwt1wl3c0001fk7durenckq6";
const userId = "cmwt1wkuy0001tpr5yjjr_91";
for (let round = 0; round < 2; round++) {
  let t = performance.now();
  for (let i = 0; i < 300; i++) await placeBet({ userId, sandboxId, side: "yes", amount: 100 });
  console.log("prisma placeBet seq ms/op", (performance.now() - t) / 300);
  t = performance.now();
  for (let i = 0; i < 300; i++) await db.$queryRaw`SELECT 1`;
  console.log("prisma SELECT 1 ms/op", (performance.now() - t) / 300);
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  t = performance.now();
  for (let i = 0; i < 300; i++) await c.query("SELECT 1");
  console.log("pg SELECT 1 ms/op", (performance.now() - t) / 300);
  t = performance.now();
  for (let i = 0; i < 300; i++) await c.query("UPDATE pools SET \"betCount\" = \"betCount\" + 0 WHERE id = 'cmwt1wl3h0002gmtqwvnt'");
  console.log("pg commit-only update ms/op", (performance.now() - t) / 300);
  await c.end();
  // concurrency
  t = performance.now();
  let n = 0;
  await Promise.all(Array.from({ length: 20 }, async () => { for (let i = 0; i < 50; i++) { await placeBet({ userId, sandboxId, side: "no", amount: 100 }); n++; } }));
  console.log("prisma placeBet 20-concurrent bets/s", n / ((performance.now() - t) / 1000));
}
await db.$disconnect();
