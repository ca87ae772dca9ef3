// Every PostgreSQL connection Paddock opens (Prisma's adapter pool, the raw `pg` pool, the
// Prisma CLI, scripts, benchmarks, test helpers) takes its options from here, and they pin the
// session to UTC.
//
// Why pin the session rather than switch the columns to timestamptz: @prisma/adapter-pg writes a
// Date as UTC text without an offset and reads a timestamptz by replacing the server's offset with
// +00:00, i.e. it assumes a UTC session — timestamptz columns alone would still be shifted by a
// session in another zone. With every session in UTC, the `timestamp` columns (which hold UTC),
// bare `now()` in SQL and the values Prisma writes all agree, whatever zone the database server
// (an embedded Postgres takes the host's) or the Node host is in.
import pg from "pg";

export const SESSION_TIME_ZONE = "UTC";

// node-pg reads `timestamp` (without zone) in the Node process's zone; Paddock's columns hold UTC.
const TIMESTAMP_OID = 1114;
const parseUtcTimestamp = (text: string) => new Date(`${text.replace(" ", "T")}Z`);
const utcTypes = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === TIMESTAMP_OID && format !== "binary"
      ? parseUtcTimestamp
      : (pg.types.getTypeParser(oid, format) as (value: string) => unknown)) as typeof pg.types.getTypeParser,
};
// Date parameters are sent as UTC text, not in the Node process's zone (a `timestamp` column
// would drop the offset).
pg.defaults.parseInputDatesAsUTC = true;

/**
 * Connection options for `new pg.Pool(...)`, `new pg.Client(...)` and `new PrismaPg(...)`.
 * The zone goes into the URL's `options` because node-pg lets a URL's parameters override the
 * config object's (an `options=` already in DATABASE_URL is kept; the UTC setting follows it).
 * `settings`: further session settings for these connections (server/lib/pg.ts's plan cache mode).
 */
export function pgConnectionOptions(
  connectionString: string,
  extra: Omit<pg.PoolConfig, "connectionString"> = {},
  settings: Record<string, string> = {},
): pg.PoolConfig {
  const url = new URL(connectionString);
  const session = { TimeZone: SESSION_TIME_ZONE, ...settings };
  const options = [url.searchParams.get("options"), ...Object.entries(session).map(([k, v]) => `-c ${k}=${v}`)].filter(Boolean).join(" ");
  url.searchParams.set("options", options);
  return { ...extra, connectionString: url.toString(), types: utcTypes };
}
