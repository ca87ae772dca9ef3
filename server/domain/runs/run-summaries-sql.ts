// A page of run summaries read in ONE statement on the `pg` pool, for run.list (bench:arena).
//
// Prisma reads `runSummarySelect` as five statements — the runs, then their agents, creators,
// workspaces and pools — and on a busy 2-core machine their round trips and Prisma's per-query
// work, not PostgreSQL, were most of the list's time (p99 over the 20 ms target with 100,000 runs).
// The same statement through Prisma's `$queryRaw` took about twice the `pg` pool's p99 (Prisma's
// decoding of the rows), hence the pool (server/lib/pg.ts). Which runs make the page, in which
// order, stays a Prisma query in queries.ts (the visibility rule is a Prisma `where`,
// workspaces/visibility.ts): this file only reads the rows of ids already chosen.
//
// The columns are derived from `runSummarySelect` itself, so a field added there is read here
// too, and run-summaries-sql.test.ts checks the result equals Prisma's read of the same runs.
import type { Prisma } from "../../lib/db";
import type { PgClient } from "../../lib/pg";

type Select = Record<string, true | { select: Record<string, true> }>;

/** Each relation of the summary: its table, alias, and how it joins a run (`s`). */
// node-pg reads int8 as text; Prisma (and so the summary's type) as a bigint.
const INT8_OID = 20;

const RELATIONS: Record<string, { table: string; alias: string; join: string; optional: boolean }> = {
  agent: { table: "agents", alias: "a", join: `a."id" = s."agentId"`, optional: false },
  createdBy: { table: "users", alias: "u", join: `u."id" = s."createdById"`, optional: false },
  workspace: { table: "workspaces", alias: "w", join: `w."id" = s."workspaceId"`, optional: false },
  pool: { table: "pools", alias: "p", join: `p."runId" = s."id"`, optional: true },
};

/** `SELECT … FROM unnest(ids) … JOIN …` for a select of scalars and the relations above. */
function summaryStatement(select: Select) {
  const columns: string[] = [];
  const joins: string[] = [];
  const scalarKeys: string[] = [];
  const relationKeys: [string, string[], boolean][] = [];
  for (const [key, value] of Object.entries(select)) {
    if (value === true) {
      // Enums arrive as text either way. The alias keeps Prisma's camelCase field name.
      columns.push(`s."${key}" AS "${key}"`);
      scalarKeys.push(key);
      continue;
    }
    const rel = RELATIONS[key];
    if (!rel) throw new Error(`run-summaries-sql: no join for the relation "${key}" — add it to RELATIONS`);
    const fields = Object.keys(value.select);
    for (const f of fields) columns.push(`${rel.alias}."${f}" AS "${key}.${f}"`);
    joins.push(`${rel.optional ? "LEFT JOIN" : "JOIN"} "${rel.table}" ${rel.alias} ON ${rel.join}`);
    relationKeys.push([key, fields, rel.optional]);
  }
  const sql = `SELECT ${columns.join(", ")}
    FROM unnest($1::text[]) WITH ORDINALITY AS page("id", "n")
    JOIN "runs" s ON s."id" = page."id"
    ${joins.join("\n    ")}
   ORDER BY page."n"`;
  const nest = (raw: Record<string, unknown>, int8: readonly string[]) => {
    const row = { ...raw };
    for (const k of int8) if (row[k] !== null) row[k] = BigInt(row[k] as string);
    const out: Record<string, unknown> = {};
    for (const k of scalarKeys) out[k] = row[k];
    for (const [key, fields, optional] of relationKeys) {
      // A LEFT JOIN that found nothing reads as nulls in every column: the relation is absent.
      if (optional && row[`${key}.id`] === null) {
        out[key] = null;
        continue;
      }
      const nested: Record<string, unknown> = {};
      for (const f of fields) nested[f] = row[`${key}.${f}`];
      out[key] = nested;
    }
    return out;
  };
  return { sql, nest };
}

/**
 * The rows of `select` (scalars of the run and to-one relations listed in RELATIONS) for these run
 * ids, in the order given; ids of runs that do not exist are left out. Typed as Prisma would return
 * them: run-summaries-sql.test.ts holds the two reads equal.
 */
export async function readRunSummaries<S extends Select>(
  pool: PgClient,
  select: S,
  ids: readonly string[],
): Promise<Prisma.RunGetPayload<{ select: S }>[]> {
  if (ids.length === 0) return [];
  const { sql, nest } = statementFor(select);
  const res = await pool.query<Record<string, unknown>>(sql, [ids]);
  const int8 = res.fields.filter((f) => f.dataTypeID === INT8_OID).map((f) => f.name);
  return res.rows.map((row) => nest(row, int8)) as Prisma.RunGetPayload<{ select: S }>[];
}

const statements = new WeakMap<object, ReturnType<typeof summaryStatement>>();
function statementFor(select: Select) {
  let s = statements.get(select);
  if (!s) statements.set(select, (s = summaryStatement(select)));
  return s;
}
