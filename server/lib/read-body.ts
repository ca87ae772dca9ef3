// A request body read whole into memory, capped: past `max` bytes the rest is read and dropped
// (so the connection stays usable for the answer) and the caller refuses the request. Used where
// Paddock reads bodies itself instead of a body-parser middleware: tRPC (trpc/express-handler.ts)
// and the external agents' API (bridge/agent-api/routes.ts).
import type { IncomingMessage } from "node:http";

export type ReadBody = { ok: true; bytes: Buffer | undefined } | { ok: false; size: number };

export function readBody(req: IncomingMessage, max: number): Promise<ReadBody> {
  if (req.method === "GET" || req.method === "HEAD") return Promise.resolve({ ok: true, bytes: undefined });
  const declared = Number(req.headers["content-length"]);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    if (declared > max) {
      req.resume();
      req.once("end", () => resolve({ ok: false, size: declared }));
      req.once("error", reject);
      return;
    }
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) chunks.push(chunk);
    });
    req.once("end", () => {
      if (size > max) resolve({ ok: false, size });
      else resolve({ ok: true, bytes: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) });
    });
    req.once("error", reject);
  });
}
