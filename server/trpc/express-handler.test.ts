import { describe, expect, it } from "vitest";
import request from "supertest";
import { createApp } from "../app";
import { makeUser } from "../test/helpers";
import { createApiToken } from "../domain/users";
import { db } from "../lib/db";
import express from "express";
import { makeRun } from "../domain/betting/fixtures";
import { AppError } from "../lib/errors";
import { createTRPCRouter, publicProcedure } from "./init";
import { createContextInner } from "./context";
import { trpcExpressHandler } from "./express-handler";

describe("tRPC over HTTP", () => {
  const app = createApp();

  it("answers a query and a batch with one Content-Length body", async () => {
    const user = await makeUser({ grant: 1_234 });
    const { token } = await createApiToken(db, user.id, "http test");
    const me = await request(app).get("/trpc/user.me").set("authorization", `Bearer ${token}`);
    expect(me.status).toBe(200);
    expect(me.headers["content-length"]).toBe(String(Buffer.byteLength(me.text)));
    expect(me.headers["transfer-encoding"]).toBeUndefined();
    expect(me.body.result.data.json).toMatchObject({ id: user.id });

    const batch = await request(app)
      .get(`/trpc/user.me,user.me?batch=1&input=${encodeURIComponent(JSON.stringify({}))}`)
      .set("authorization", `Bearer ${token}`);
    expect(batch.status).toBe(200);
    expect(batch.body).toHaveLength(2);
  });

  it("reads a mutation's JSON body and refuses a malformed one with 400", async () => {
    const ok = await request(app)
      .post("/trpc/user.signUp")
      .send({ json: { email: "http-handler@example.com", password: "long enough", name: "H" } });
    expect(ok.status).toBe(200);
    const bad = await request(app).post("/trpc/user.signUp").set("content-type", "application/json").send("{not json");
    expect(bad.status).toBe(400);
    expect(bad.body.error.json.data.code).toBe("BAD_REQUEST");
  });

  it("refuses a body over 1 MiB with 413, without running the procedure", async () => {
    const email = "too-large@example.com";
    const res = await request(app)
      .post("/trpc/user.signUp")
      .send({ json: { email, password: "long enough", name: "x".repeat(1024 * 1024) } });
    expect(res.status).toBe(413);
    expect(res.body.error.json.data.code).toBe("PAYLOAD_TOO_LARGE");
    expect(await db.user.count({ where: { email } })).toBe(0);
  });

  it("answers despite a Host header that makes no valid URL", async () => {
    const res = await request(app)
      .post("/trpc/user.signUp")
      .set("host", "bad host:99999")
      .send({ json: { email: "not an email" } });
    expect(res.status).toBe(400);
    expect(res.body.error.json.data.field).toBe("email");
  });

  it("answers an unknown procedure with 404", async () => {
    const res = await request(app).post("/trpc/nope.nothing").send({ json: {} });
    expect(res.status).toBe(404);
    expect(res.body.error.json.data.code).toBe("NOT_FOUND");
  });
});

describe("numbers past a database column and unexpected failures", () => {
  const app = createApp();

  it("answers a number past an int4 column with a 400 naming the field, never a database error", async () => {
    const user = await makeUser();
    const { token } = await createApiToken(db, user.id, "int4 test");
    const run = await makeRun(db, { createdById: user.id, status: "running" });
    const big = 2 ** 40;
    const calls = [
      ["run.events", { id: run.runId, cursor: big }, "cursor"],
      ["run.events", { id: run.runId, afterSeq: big }, "afterSeq"],
      ["betting.quote", { runId: run.runId, side: "yes", amount: big }, "amount"],
      ["user.ledger", { limit: 10, cursor: "9".repeat(30) }, "cursor"],
    ] as const;
    for (const [procedure, input, field] of calls) {
      const res = await request(app)
        .get(`/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`)
        .set("authorization", `Bearer ${token}`);
      expect(res.status, procedure).toBe(400);
      expect(res.body.error.json.data.field, procedure).toBe(field);
    }
    const bet = await request(app)
      .post("/trpc/betting.placeBet")
      .set("authorization", `Bearer ${token}`)
      .send({ json: { runId: run.runId, side: "yes", amount: big } });
    expect(bet.status).toBe(400);
    expect(bet.body.error.json.data.field).toBe("amount");
    expect(await db.bet.count()).toBe(0);
  });

  it("says something generic for an unexpected failure and keeps its text for the log", async () => {
    const failing = createTRPCRouter({
      boom: publicProcedure.query(() => {
        throw new Error('duplicate key value violates unique constraint "users_email_key" (SELECT * FROM users)');
      }),
      refused: publicProcedure.query(() => {
        throw new AppError("UNAVAILABLE", "the sandbox provider is not reachable; try again in a minute");
      }),
    });
    const logged: string[] = [];
    const small = express();
    small.use((req, _res, next) => {
      req.id = "req-123";
      next();
    });
    small.use(
      "/trpc",
      trpcExpressHandler({
        router: failing,
        maxBodySize: 1024,
        maxBatchCalls: 20,
        createContext: async (req) => createContextInner({ user: null, req }),
        onError: ({ error }) => logged.push(String(error.cause?.message ?? error.message)),
      }),
    );
    const res = await request(small).get("/trpc/boom");
    expect(res.status).toBe(500);
    const text = JSON.stringify(res.body);
    expect(text).not.toMatch(/duplicate key|users_email_key|SELECT/);
    expect(res.body.error.json.message).toMatch(/something went wrong on our side.*request req-123/);
    expect(logged.join("\n")).toMatch(/users_email_key/);
    // An error Paddock raised on purpose keeps its message, even as a 5xx.
    const refused = await request(small).get("/trpc/refused");
    expect(refused.body.error.json.message).toBe("the sandbox provider is not reachable; try again in a minute");
  });
});
