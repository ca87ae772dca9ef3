// Settles one pool from the command line (an operator's manual retry; the crash test kills it
// mid-settlement):  tsx server/domain/betting/settle-pool.cli.ts <poolId>
import { db } from "../../lib/db";
import { settlePool } from "./settle-pool";

const poolId = process.argv[2];
if (!poolId) {
  console.error("usage: tsx server/domain/betting/settle-pool.cli.ts <poolId>");
  process.exit(2);
}
console.log(`settling ${poolId}`);
const { balances: _omit, ...result } = await settlePool(db, poolId);
console.log(JSON.stringify(result));
await db.$disconnect();
