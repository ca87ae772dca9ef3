// The container start script (scripts/docker/serve.sh): Paddock gets its settings, while the
// environment its process was started with — what any same-user process, a sandboxed agent
// included, reads from /proc/<pid>/environ — holds none of them.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..", "..");

describe("scripts/docker/serve.sh", () => {
  it.runIf(process.platform === "linux")("hands settings to Node without leaving them in /proc/<pid>/environ", () => {
    const probe = `
      const { readFileSync } = require("node:fs");
      const { execFileSync } = require("node:child_process");
      const seenByAnother = execFileSync("sh", ["-c", "cat /proc/" + process.pid + "/environ"], { env: {} }).toString();
      console.log(JSON.stringify({ secret: process.env.AUTH_SECRET, db: process.env.DATABASE_URL, environ: readFileSync("/proc/self/environ", "utf8"), seenByAnother }));`;
    const out = execFileSync("sh", [path.join(root, "scripts/docker/serve.sh"), "-e", probe], {
      env: { ...process.env, AUTH_SECRET: "secret-in-the-container-env-0123456789", DATABASE_URL: "postgresql://u:pw-9f2c@db/paddock" },
      encoding: "utf8",
    });
    const seen = JSON.parse(out) as { secret: string; db: string; environ: string; seenByAnother: string };
    expect(seen.secret).toBe("secret-in-the-container-env-0123456789");
    expect(seen.db).toBe("postgresql://u:pw-9f2c@db/paddock");
    for (const environ of [seen.environ, seen.seenByAnother]) {
      expect(environ).not.toContain("secret-in-the-container-env");
      expect(environ).not.toContain("pw-9f2c");
      expect(
        environ
          .split("\0")
          .filter(Boolean)
          .map((v) => v.split("=")[0])
          .sort(),
      ).toEqual(["HOME", "NODE_ENV", "PADDOCK_ENV_FD", "PATH"]);
    }
  });
});
