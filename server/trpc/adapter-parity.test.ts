// Paddock's tRPC handler (express-handler.ts) and tRPC's own `@trpc/server/adapters/express`,
// mounted on the same appRouter with the same context and limits, must answer every request the
// same way: same status, same body, same headers. A tRPC upgrade that changes what the official
// adapter does fails here before it silently diverges from ours. The differences that are ours on
// purpose are asserted as such, one by one (DIFFERENCES below).
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import express, { type Express, type Request } from "express";
import superjson from "superjson";
import request from "supertest";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createAuthConfig } from "../auth/auth-config";
import { resolveUser } from "../auth/resolve-user";
import { config } from "../config";
import { createApiToken } from "../domain/users";
import { db } from "../lib/db";
import { makeUser } from "../test/helpers";
import { TRPC_MAX_BATCH_CALLS } from "@shared/trpc-limits";
import { createContextInner } from "./context";
import { trpcExpressHandler } from "./express-handler";
import { createTRPCRouter, publicProcedure } from "./init";
import { appRouter } from "./root";

const MAX_BODY = 64 * 1024;

// Beside appRouter, what it has no procedure for: a Date going in (superjson) and an unexpected throw.
const extras = createTRPCRouter({
  later: publicProcedure
    .input(z.object({ at: z.date() }))
    .mutation(({ input }) => ({ at: input.at, later: new Date(input.at.getTime() + 60_000) })),
  boom: publicProcedure.query(() => {
    throw new Error('duplicate key value violates unique constraint "users_email_key"');
  }),
});

type Mount = "ours" | "official";

function serve(mount: Mount): Express {
  const authConfig = createAuthConfig(db, config);
  const createContext = async (req: Request) => createContextInner({ user: await resolveUser(db, authConfig, req), req });
  const app = express().disable("x-powered-by");
  for (const [prefix, router] of [
    ["/trpc", appRouter],
    ["/extras", extras],
  ] as const) {
    app.use(
      prefix,
      mount === "ours"
        ? trpcExpressHandler({ router, maxBodySize: MAX_BODY, maxBatchCalls: TRPC_MAX_BATCH_CALLS, createContext })
        : createExpressMiddleware({
            router,
            maxBodySize: MAX_BODY,
            maxBatchSize: TRPC_MAX_BATCH_CALLS,
            createContext: ({ req }) => createContext(req),
          }),
    );
  }
  return app;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

// Per connection or per transfer, never the answer's meaning.
const TRANSPORT_HEADERS = ["date", "connection", "keep-alive", "content-length", "transfer-encoding"];

/** Ids, secrets and times differ between two calls that create things; everything else must not. */
function scrub(value: unknown, keys: string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => scrub(v, keys));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, keys.includes(k) ? typeof v : scrub(v, keys)]));
  }
  return value;
}
const VARYING = ["id", "token", "createdAt", "expiresAt", "lastUsedAt"];

let apps: Record<Mount, Express>;
let token: string;

beforeAll(async () => {
  apps = { ours: serve("ours"), official: serve("official") };
  const user = await makeUser({ grant: 500, email: "parity@example.com", name: "Parity" });
  token = (await createApiToken(db, user.id, "parity")).token;
});

/** Sends the same request to both mounts; returns both answers with transport headers set apart. */
async function both(
  send: (app: Express) => request.Test,
  varying = VARYING,
): Promise<Record<Mount, Answer & { transport: Record<string, string> }>> {
  const answer = async (mount: Mount) => {
    const res = await send(apps[mount]);
    const headers = { ...(res.headers as Record<string, string>) };
    const transport: Record<string, string> = {};
    for (const name of TRANSPORT_HEADERS) {
      if (name in headers) transport[name] = headers[name]!;
      delete headers[name];
    }
    return { status: res.status, headers, body: scrub(res.body, varying), transport };
  };
  return { ours: await answer("ours"), official: await answer("official") };
}

async function expectSame(send: (app: Express) => request.Test, varying = VARYING): Promise<Answer> {
  const { ours, official } = await both(send, varying);
  expect({ status: ours.status, headers: ours.headers, body: ours.body }).toEqual({
    status: official.status,
    headers: official.headers,
    body: official.body,
  });
  // DIFFERENCE: ours writes the whole answer once with its length; the official adapter streams it.
  expect(ours.transport["content-length"]).toBeDefined();
  expect(ours.transport["transfer-encoding"]).toBeUndefined();
  return ours;
}

const bearer = () => `Bearer ${token}`;
const input = (value: unknown) => encodeURIComponent(JSON.stringify(superjson.serialize(value)));

describe("our tRPC handler answers as tRPC's express adapter does", () => {
  it("a signed-in query", async () => {
    const answer = await expectSame((app) => request(app).get("/trpc/user.me").set("authorization", bearer()));
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toMatch(/^application\/json/);
    expect(answer.body).toMatchObject({ result: { data: { json: { email: "parity@example.com", balance: 500 } } } });
  });

  it("a query with input, and a GET batch of queries", async () => {
    await expectSame((app) =>
      request(app)
        .get(`/trpc/run.list?input=${input({ limit: 5 })}`)
        .set("authorization", bearer()),
    );
    const batch = await expectSame((app) =>
      request(app)
        .get(`/trpc/user.me,run.agents,nope.nothing?batch=1&input=${input({})}`)
        .set("authorization", bearer()),
    );
    // One call of the batch failing makes the whole answer 207, each call with its own result.
    expect(batch.status).toBe(207);
    expect(batch.body).toHaveLength(3);
  });

  it("a mutation, alone and in a POST batch", async () => {
    let n = 0;
    const signUp = () => superjson.serialize({ email: `parity-${++n}@example.com`, password: "long enough", name: "P" });
    const created = await expectSame((app) => request(app).post("/trpc/user.signUp").send(signUp()), [...VARYING, "email"]);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ result: { data: { json: { name: "P", role: "member" } } } });
    const batch = await expectSame(
      (app) =>
        request(app)
          .post("/trpc/user.signUp,user.signUp?batch=1")
          .send({ 0: signUp(), 1: superjson.serialize({ email: "", password: "x", name: "P" }) }),
      [...VARYING, "email"],
    );
    expect(batch.status).toBe(207);
    expect(await db.user.count({ where: { email: { startsWith: "parity-" } } })).toBe(4);
  });

  it("a Date through superjson, in and out", async () => {
    const at = new Date("2026-12-02T05:00:00.000Z");
    const answer = await expectSame((app) => request(app).post("/extras/later").send(superjson.serialize({ at })));
    const { result } = answer.body as { result: { data: Parameters<typeof superjson.deserialize>[0] } };
    expect(superjson.deserialize(result.data)).toEqual({ at, later: new Date("2026-12-02T05:01:00.000Z") });
  });

  it("input that fails validation: 400 with the zod field data", async () => {
    const answer = await expectSame((app) =>
      request(app)
        .post("/trpc/user.signUp")
        .send(superjson.serialize({ email: "not an email", password: "x", name: "P" })),
    );
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      error: { json: { data: { code: "BAD_REQUEST", field: "email", zodError: { fieldErrors: { email: expect.any(Array) } } } } },
    });
  });

  it("a caller who is not signed in, or signed in with a made-up token: 401", async () => {
    const anonymous = await expectSame((app) => request(app).get("/trpc/user.me"));
    expect(anonymous.status).toBe(401);
    const madeUp = await expectSame((app) => request(app).get("/trpc/user.me").set("authorization", "Bearer pdk_made-up"));
    expect(madeUp.status).toBe(401);
  });

  it("an unknown procedure, and a mutation asked for with GET", async () => {
    expect((await expectSame((app) => request(app).post("/trpc/nope.nothing").send({ json: {} }))).status).toBe(404);
    expect((await expectSame((app) => request(app).get("/trpc/user.signUp"))).status).toBe(405);
  });

  it("malformed JSON, in a body and in the query string", async () => {
    const body = await expectSame((app) =>
      request(app).post("/trpc/user.signUp").set("content-type", "application/json").send("{not json"),
    );
    expect(body.status).toBe(400);
    const query = await expectSame((app) => request(app).get("/trpc/run.list?input=%7Bnot%20json").set("authorization", bearer()));
    expect(query.status).toBe(400);
  });

  it("the headers tRPC reads: a body's content type, upper-case or unsupported, and a batch asked for as a JSONL stream", async () => {
    const json = JSON.stringify(superjson.serialize({ email: "not an email" }));
    const upper = await expectSame((app) => request(app).post("/trpc/user.signUp").set("Content-Type", "APPLICATION/JSON").send(json));
    expect(upper.status).toBe(415);
    const plain = await expectSame((app) => request(app).post("/trpc/user.signUp").set("content-type", "text/plain").send(json));
    expect(plain.status).toBe(415);
    const stream = (app: Express) =>
      request(app)
        .get(`/trpc/user.me,user.me?batch=1&input=${input({})}`)
        .set("authorization", bearer())
        .set("trpc-accept", "application/jsonl")
        .buffer(true)
        .parse((res, done) => {
          let text = "";
          res.on("data", (chunk: Buffer) => (text += chunk.toString()));
          res.on("end", () => done(null, text));
        });
    const [ours, official] = [await stream(apps.ours), await stream(apps.official)];
    expect(ours.status).toBe(200);
    expect(ours.headers["transfer-encoding"]).toBe("chunked");
    expect(ours.headers["content-length"]).toBeUndefined();
    expect(ours.body).toBe(official.body);
    expect(String(ours.body).split("\n").filter(Boolean).length).toBeGreaterThan(1);
  });

  it("an unexpected failure: 500 with a generic message, the cause's text withheld", async () => {
    const answer = await expectSame((app) => request(app).get("/extras/boom"));
    expect(answer.status).toBe(500);
    expect(JSON.stringify(answer.body)).not.toContain("users_email_key");
  });

  it("a batch longer than the limit: 400 and none of its calls runs", async () => {
    const calls = Array.from({ length: TRPC_MAX_BATCH_CALLS + 1 }, () => "user.createApiToken");
    const body = Object.fromEntries(calls.map((_, i) => [i, superjson.serialize({ name: `over-${i}` })]));
    const before = await db.apiToken.count();
    const { ours, official } = await both((app) =>
      request(app)
        .post(`/trpc/${calls.join(",")}?batch=1`)
        .set("authorization", bearer())
        .send(body),
    );
    expect([ours.status, official.status]).toEqual([400, 400]);
    expect(await db.apiToken.count()).toBe(before);
    // DIFFERENCE: ours names the rule and what to do; tRPC says "Batch call exceeds maximum size".
    expect(JSON.stringify(ours.body)).toContain(`at most ${TRPC_MAX_BATCH_CALLS} calls`);
  });

  it("a body over the size limit: 413 and the procedure does not run", async () => {
    const email = "too-large@example.com";
    const big = superjson.serialize({ email, password: "long enough", name: "x".repeat(MAX_BODY) });
    const { ours, official } = await both((app) => request(app).post("/trpc/user.signUp").send(big));
    expect([ours.status, official.status]).toEqual([413, 413]);
    expect(await db.user.count({ where: { email } })).toBe(0);
    // DIFFERENCE: ours says how large a body may be; tRPC's message is its code.
    expect(ours.body).toMatchObject({
      error: { json: { message: `request body is larger than ${MAX_BODY} bytes`, data: { code: "PAYLOAD_TOO_LARGE" } } },
    });
  });
});
