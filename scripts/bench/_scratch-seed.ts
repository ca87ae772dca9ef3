import { db } from "/work/main/server/lib/db";
import { makeRun, seedUsers, seedBets, randomBets } from "/work/main/server/domain/betting/fixtures";
const users = await seedUsers(db, 1000, 100_000_000);
const r = await makeRun(db, { createdById: users[0]! , status: "succeeded"});
await seedBets(db, r, randomBets(users, 100_000));
console.log(JSON.stringify(r));
await db.$disconnect();
