// Socket.IO on the API's HTTP server. Filled in by the realtime layer.
import type { Server as HttpServer } from "node:http";

export interface RealtimeServer {
  close(): Promise<void>;
}

export async function startRealtime(_server: HttpServer): Promise<RealtimeServer> {
  return { close: async () => {} };
}
