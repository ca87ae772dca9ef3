// The migrations build exactly the database schema.prisma describes: a database migrated the way
// every install is (this file's own) is compared, catalog against catalog, with one that
// `prisma db push` builds from schema.prisma alone. The differences below are made by hand on
// purpose, because Prisma cannot express them; anything else is drift (a migration forgotten, or one
// that does not say what the schema says).
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { scratchDatabase, withClient } from "./migration-scratch";

const root = path.resolve(import.meta.dirname, "../..");

// Each line names one object of the catalog: columns, indexes, constraints and enum labels.
const DESCRIBE = `
  SELECT 'column ' || table_name || '.' || column_name || ' ' || udt_name || ' nullable=' || is_nullable || ' default=' || coalesce(column_default, '') AS line
    FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
  UNION ALL
  SELECT 'index ' || indexname || ' ' || regexp_replace(indexdef, '^CREATE (UNIQUE )?INDEX \\S+ ON ', '\\1')
    FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'
  UNION ALL
  SELECT 'constraint ' || conrelid::regclass::text || '.' || conname || ' ' || pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid <> 0 AND contype <> 'n' AND conrelid::regclass::text <> '_prisma_migrations'
  UNION ALL
  SELECT 'enum ' || t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
    FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname
  ORDER BY 1`;

const describeDatabase = (url: string) => withClient(url, async (c) => (await c.query<{ line: string }>(DESCRIBE)).rows.map((r) => r.line));

/** Made by hand in a migration, not expressible in schema.prisma: line prefix → why. */
const ONLY_IN_MIGRATIONS: Record<string, string> = {
  "constraint bets.bets_amount_positive ": "a bet's stake is positive (CHECK)",
  "constraint ledger_accounts.ledger_accounts_balance_floor ": "balances stay ≥ 0 unless the account may go negative (CHECK)",
  "constraint ledger_entries.ledger_entries_amount_nonzero ": "no zero-amount entries (CHECK)",
  "constraint pools.pools_totals_nonnegative ": "pool totals stay ≥ 0 (CHECK)",
  "constraint runs.runs_credits_within_budget ": "a run never spends past its budget (CHECK)",
  "constraint deliverables.deliverables_rating_check ": "a client's rating is 1–5 (CHECK)",
  "index workspaces_one_personal_per_user ": "one personal workspace per user (partial unique index)",
  "index tasks_ready_queue_idx ": "the dispatch claim's ready queue (partial index, 20261202213000_task_ready_queue_order)",
  "column pools.steeredBy _text nullable=NO ": "Prisma lists are nullable columns, this one is NOT NULL",
};
/** Declared in schema.prisma for Prisma's relations, deliberately absent from the database. */
const ONLY_IN_SCHEMA: Record<string, string> = {
  "constraint ledger_entries.ledger_entries_accountId_fkey ":
    "enforced by a statement-level trigger (20261201000000_ledger_entry_references)",
  "constraint ledger_entries.ledger_entries_transferId_fkey ":
    "enforced by a statement-level trigger (20261201000000_ledger_entry_references)",
  "column pools.steeredBy _text nullable=YES ": "see the NOT NULL above",
};

const known = (allow: Record<string, string>) => (line: string) => Object.keys(allow).some((prefix) => line.startsWith(prefix));

describe("the migrations and schema.prisma", () => {
  it("describe the same database, but for the hand-made objects listed here", { timeout: 240_000 }, async () => {
    const pushed = await scratchDatabase("drift");
    await promisify(execFile)("npx", ["prisma", "db", "push", "--skip-generate"], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: pushed },
      timeout: 230_000,
    });
    const migrated = await describeDatabase(process.env.DATABASE_URL!);
    const fromSchema = await describeDatabase(pushed);

    const onlyMigrated = migrated.filter((l) => !fromSchema.includes(l));
    const onlySchema = fromSchema.filter((l) => !migrated.includes(l));
    expect(onlyMigrated.filter((l) => !known(ONLY_IN_MIGRATIONS)(l))).toEqual([]);
    expect(onlySchema.filter((l) => !known(ONLY_IN_SCHEMA)(l))).toEqual([]);
    // The allowances stay true: each still names a real difference.
    for (const prefix of Object.keys(ONLY_IN_MIGRATIONS))
      expect(
        onlyMigrated.some((l) => l.startsWith(prefix)),
        prefix,
      ).toBe(true);
    for (const prefix of Object.keys(ONLY_IN_SCHEMA))
      expect(
        onlySchema.some((l) => l.startsWith(prefix)),
        prefix,
      ).toBe(true);
  });
});
