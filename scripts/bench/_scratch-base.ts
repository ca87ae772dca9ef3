import pg from "pg";
const url = process.env.DATABASE_URL!;
const POOL = "cmwt1wl3h0002gmtqwvnt", ESC = "cmwt1wl3i0002fk7dvykx9wnd";
const c0 = new pg.Client({ connectionString: url }); await c0.connect();
const users = (await c0.query(`select id, "userId" from ledger_accounts where "userId" is not null limit 50`)).rows;
const N = Number(process.env.N ?? 50);
const clients = await Promise.all(Array.from({ length: N }, async () => { const c = new pg.Client({ connectionString: url }); await c.connect(); return c; }));
let n = 0; const dur = 5000; const end = Date.now() + dur; let seq = 0;
const minimal = process.env.MODE === "tx";
await Promise.all(clients.map(async (c, i) => {
  const u = users[i % users.length];
  while (Date.now() < end) {
    const id = `base_${process.pid}_${seq++}`;
    if (minimal) {
      await c.query("BEGIN");
      await c.query({ name: "a", text: `UPDATE pools SET "yesTotal" = "yesTotal" + 100, "betCount" = "betCount" + 1 WHERE id = $1`, values: [POOL] });
      await c.query({ name: "b", text: `UPDATE ledger_accounts SET balance = balance - 100 WHERE id = $1 AND balance >= 100`, values: [u.id] });
      await c.query({ name: "c", text: `UPDATE ledger_accounts SET balance = balance + 100 WHERE id = $1`, values: [ESC] });
      await c.query({ name: "d", text: `WITH t AS (INSERT INTO ledger_transfers (id, kind) VALUES ($1, 'bet')) INSERT INTO ledger_entries ("transferId","accountId",amount) VALUES ($1,$2,-100),($1,$3,100)`, values: [id, u.id, ESC] });
      await c.query({ name: "e", text: `INSERT INTO bets (id,"poolId","userId",side,amount,"oddsAtPlacement") VALUES ($1,$2,$3,'yes',100,1)`, values: [id, POOL, u.userId] });
      await c.query("COMMIT");
    } else {
      await c.query({ name: "s", text: `WITH p AS (UPDATE pools SET "yesTotal" = "yesTotal" + 100, "betCount" = "betCount" + 1 WHERE id = $1 AND status = 'open' RETURNING id),
        u AS (UPDATE ledger_accounts SET balance = balance - 100 WHERE id = $2 AND balance >= 100 AND EXISTS (SELECT 1 FROM p) RETURNING id),
        e AS (UPDATE ledger_accounts SET balance = balance + 100 WHERE id = $3 AND EXISTS (SELECT 1 FROM u)),
        t AS (INSERT INTO ledger_transfers (id, kind) SELECT $4, 'bet' FROM u),
        en AS (INSERT INTO ledger_entries ("transferId","accountId",amount) SELECT $4, $2, -100 FROM u UNION ALL SELECT $4, $3, 100 FROM u)
        INSERT INTO bets (id,"poolId","userId",side,amount,"oddsAtPlacement") SELECT $4, $1, $5, 'yes', 100, 1 FROM u`, values: [POOL, u.id, ESC, id, u.userId] });
    }
    n++;
  }
}));
console.log(process.env.MODE ?? "cte", "clients", N, "transfers/s", n / (dur / 1000));
await Promise.all(clients.map((c) => c.end())); await c0.end();
