// Preloaded by serve.sh before anything reads settings: takes the JSON object it passes on the
// descriptor named by PADDOCK_ENV_FD into process.env. That changes what Node (and the children
// it spawns without an explicit env) sees, but not /proc/self/environ.
import { closeSync, readFileSync } from "node:fs";

const fd = Number(process.env.PADDOCK_ENV_FD);
delete process.env.PADDOCK_ENV_FD;
if (Number.isInteger(fd) && fd > 2) {
  const settings = JSON.parse(readFileSync(fd, "utf8"));
  closeSync(fd); // so sandboxes spawned later do not inherit it
  for (const [name, value] of Object.entries(settings)) {
    if (process.env[name] === undefined && typeof value === "string") process.env[name] = value;
  }
}
