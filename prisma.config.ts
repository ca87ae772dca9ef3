// Prisma CLI configuration.
//
// Paddock runs Prisma's WASM schema engine through the `pg` driver adapter, so migrations,
// seeding and Studio work on machines that cannot download Prisma's native engines.
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";
import { pgConnectionOptions } from "./server/lib/pg-options";

// Prisma issue 27403: the driver adapter cannot deserialize Postgres catalog column types
// (char, name, oid, regproc, ... and their arrays), which `migrate` reads while introspecting.
// Reporting those columns as text / text[] is lossless for what the schema engine reads.
// This patch applies to the CLI process only; the application's client is unaffected.
const TEXT_OID = 25;
const TEXT_ARRAY_OID = 1009;
const AS_TEXT = new Set([18, 19, 22, 24, 26, 30, 194, 2205, 2206]);
const AS_TEXT_ARRAY = new Set([1002, 1003]);

type QueryResultLike = { fields?: { dataTypeID: number }[] };
function retypeFields(result: unknown): void {
  const results = Array.isArray(result) ? result : [result];
  for (const r of results as QueryResultLike[]) {
    for (const field of r?.fields ?? []) {
      if (AS_TEXT.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
      else if (AS_TEXT_ARRAY.has(field.dataTypeID)) field.dataTypeID = TEXT_ARRAY_OID;
    }
  }
}

const patched = Symbol.for("paddock.pgCatalogTypesPatched");
const clientProto = pg.Client.prototype as unknown as Record<string | symbol, unknown>;
if (!clientProto[patched]) {
  clientProto[patched] = true;
  // Detached on purpose: the wrapper below calls it with .apply(this, …).
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const originalQuery = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  (pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (this: pg.Client, ...args: unknown[]) {
    const last = args.length - 1;
    if (typeof args[last] === "function") {
      const callback = args[last] as (err: unknown, res: unknown) => void;
      args[last] = (err: unknown, res: unknown) => {
        if (!err) retypeFields(res);
        callback(err, res);
      };
      return originalQuery.apply(this, args);
    }
    const first = args[0] as { callback?: unknown } | undefined;
    if (first && typeof first === "object" && typeof first.callback === "function") {
      const callback = first.callback as (err: unknown, res: unknown) => void;
      first.callback = (err: unknown, res: unknown) => {
        if (!err) retypeFields(res);
        callback(err, res);
      };
      return originalQuery.apply(this, args);
    }
    const out = originalQuery.apply(this, args);
    if (out && typeof (out as Promise<unknown>).then === "function") {
      return (out as Promise<unknown>).then((res) => {
        retypeFields(res);
        return res;
      });
    }
    return out;
  };
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations", seed: "tsx prisma/seed.ts" },
  async adapter() {
    // `prisma generate` needs no database; a placeholder keeps the CLI on the JS engine
    // (if this function throws, the CLI falls back to downloading a native engine).
    const connectionString = process.env.DATABASE_URL ?? "postgresql://localhost:5432/paddock";
    return new PrismaPg(pgConnectionOptions(connectionString));
  },
});
