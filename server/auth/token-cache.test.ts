import { describe, expect, it } from "vitest";
import request from "supertest";
import { createApp } from "../app";
import { db } from "../lib/db";
import { createRedis, redisKey } from "../lib/redis";
import { waitUntil } from "../test/paddock-harness";
import { makeUser } from "../test/helpers";
import { tokenCacheListening } from "./token-cache";

const app = createApp();
const me = (token: string) => request(app).get("/trpc/user.me").set("authorization", `Bearer ${token}`);

describe("API token users remembered per process", () => {
  it("forget a token revoked by another process as soon as it says so", async () => {
    const u = await makeUser();
    const { token, id } = await u.caller.user.createApiToken({ name: "script" });
    await tokenCacheListening();
    await me(token).expect(200);
    // Another API process revokes it: its database write alone does not reach this process...
    await db.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
    await me(token).expect(200);
    // ...its invalidation message does.
    const other = createRedis("general");
    await other.publish(redisKey("auth", "changed"), "1");
    await other.quit();
    await waitUntil(async () => (await me(token)).status === 401, "the revoked token to be refused", 5_000, 20);
  });

  it("a revoke or role change through the API takes effect on the next call", async () => {
    const admin = await makeUser({ role: "admin" });
    const u = await makeUser({ role: "member" });
    const { token, id } = await u.caller.user.createApiToken({ name: "script" });
    await tokenCacheListening();
    expect((await me(token).expect(200)).body.result.data.json.role).toBe("member");
    await admin.caller.user.setRole({ userId: u.id, role: "operator" });
    expect((await me(token).expect(200)).body.result.data.json.role).toBe("operator");
    await u.caller.user.revokeApiToken({ id });
    await me(token).expect(401);
  });
});
