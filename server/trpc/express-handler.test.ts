import { describe, expect, it } from "vitest";
import request from "supertest";
import { createApp } from "../app";
import { makeUser } from "../test/helpers";
import { createApiToken } from "../domain/users";
import { db } from "../lib/db";

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
    const ok = await request(app).post("/trpc/user.signUp").send({ json: { email: "http-handler@example.com", password: "long enough", name: "H" } });
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
    const res = await request(app).post("/trpc/user.signUp").set("host", "bad host:99999").send({ json: { email: "not an email" } });
    expect(res.status).toBe(400);
    expect(res.body.error.json.data.field).toBe("email");
  });

  it("answers an unknown procedure with 404", async () => {
    const res = await request(app).post("/trpc/nope.nothing").send({ json: {} });
    expect(res.status).toBe(404);
    expect(res.body.error.json.data.code).toBe("NOT_FOUND");
  });
});
