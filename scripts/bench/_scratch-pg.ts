import pg from "pg";
import { readFileSync } from "node:fs";
const sql = readFileSync("/tmp/pb.sql", "utf8").split("\n").filter((l) => !l.startsWith("\\") && !l.startsWith("EXPLAIN")).join("\n").replace(/;\s*$/, "");
const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
await c.connect();
for (const named of [false, true, false, true]) {
  const t = performance.now();
  for (let i = 0; i < 300; i++) await c.query(named ? { name: "pb", text: sql } : sql);
  console.log(named ? "named" : "unnamed", (performance.now() - t) / 300, "ms/op");
}
let t = performance.now();
for (let i = 0; i < 300; i++) { await c.query("BEGIN"); await c.query({ name: "pb", text: sql }); await c.query("ROLLBACK"); }
console.log("named no-commit (rollback)", (performance.now() - t) / 300, "ms/op");
await c.end();
