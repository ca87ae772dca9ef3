import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { isBuiltin } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAgentBundle } from "./bundle";

const exec = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "paddock-bundle-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("buildAgentBundle", () => {
  it("produces one self-contained agent.mjs that node accepts and runs without node_modules", async () => {
    const bundle = await buildAgentBundle();
    expect(bundle.files.map((f) => f.path)).toEqual(["agent.mjs"]);
    const file = join(dir, "agent.mjs");
    await writeFile(file, bundle.files[0]!.content);

    await exec(process.execPath, ["--check", file]);
    // Only node built-ins may remain as imports: zod, the SDK and shared/ are inlined.
    const source = bundle.files[0]!.content.toString("utf8");
    const imports = [...source.matchAll(/^import .* from "([^"]+)";?$/gm)].map((m) => m[1]!);
    expect(imports.length).toBeGreaterThan(0);
    for (const specifier of imports) expect(isBuiltin(specifier), specifier).toBe(true);

    // Started outside the repo without its environment, it must fail fast and say why.
    const run = await exec(process.execPath, [file], { cwd: dir, env: { PATH: process.env.PATH ?? "" } }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(run).toMatchObject({ code: 2 });
    expect((run as { stderr: string }).stderr).toMatch(/PADDOCK_BRIDGE_URL/);
  });

  it("is cached per process", async () => {
    expect(await buildAgentBundle()).toBe(await buildAgentBundle());
  });
});
