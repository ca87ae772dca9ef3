// Data flows one way: transport (routers, bridge, jobs) → commands → domain → db. Domain code
// returns what happened; it never emits, enqueues or knows the transport, so it must not import
// the layers above it (a re-export is an import too).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SERVER = path.resolve(import.meta.dirname, "..");
const DOMAIN = path.join(SERVER, "domain");
const LAYERS_ABOVE = ["commands", "jobs", "realtime", "routers", "trpc", "bridge"];
const TRANSPORT_PACKAGES = ["express", "@trpc/server", "socket.io", "@socket.io/redis-emitter", "@socket.io/redis-adapter", "bullmq"];

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(path.join(dir, e.name))
      : /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)
        ? [path.join(dir, e.name)]
        : [],
  );

/** Every module a file imports or re-exports, static or dynamic. */
function importsOf(source: string): string[] {
  const found = [
    ...source.matchAll(
      /(?:^|\n)\s*(?:import|export)\b[^;'"]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|(?:^|\n)\s*import\s*["']([^"']+)["']/g,
    ),
  ];
  return found.map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** The layer (server/<layer>/…) or package an import points to. */
function target(file: string, spec: string): string {
  if (spec.startsWith(".")) return path.relative(SERVER, path.resolve(path.dirname(file), spec)).split(path.sep)[0]!;
  if (spec.startsWith("@server/")) return spec.slice("@server/".length).split("/")[0]!;
  return spec;
}

describe("the domain layer", () => {
  it("finds re-exports and dynamic imports, not only plain imports", () => {
    const src = `import { a } from "./a";\nexport { b } from "../../jobs/b";\nexport * from "./c";\nconst d = await import("../../realtime/emit");\nimport "./side";`;
    expect(importsOf(src)).toEqual(["./a", "../../jobs/b", "./c", "../../realtime/emit", "./side"]);
  });

  it("imports no layer above it and no transport package", () => {
    const files = sourceFiles(DOMAIN);
    const seen = new Set<string>();
    const offending: string[] = [];
    for (const file of files) {
      for (const spec of importsOf(readFileSync(file, "utf8"))) {
        const to = target(file, spec);
        seen.add(to);
        if (LAYERS_ABOVE.includes(to) || TRANSPORT_PACKAGES.some((p) => to === p || to.startsWith(`${p}/`))) {
          offending.push(`${path.relative(SERVER, file)} imports ${spec}`);
        }
      }
    }
    // The scan reads real imports: the domain's own database layer is among them.
    expect(seen).toContain("lib");
    expect(offending).toEqual([]);
  });
});
