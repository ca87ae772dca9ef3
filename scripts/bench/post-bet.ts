// The bet benchmarks' clients: one keep-alive connection each (client i to target i mod the
// targets, as a load balancer would spread them), each sending betting.placeBet over HTTP the way
// the web client's tRPC link does; a bet resolves with its answer's status code.
import { KeepAliveConnection } from "./keep-alive-client";

export async function betClients(targets: URL[], count: number) {
  const connections = await Promise.all(Array.from({ length: count }, (_, i) => KeepAliveConnection.open(targets[i % targets.length]!)));
  return {
    async post(client: number, token: string, body: string): Promise<number> {
      const target = targets[client % targets.length]!;
      const answer = await connections[client]!.request(
        "POST",
        target.pathname,
        { "content-type": "application/json", authorization: `Bearer ${token}` },
        body,
      );
      return answer.status;
    },
    close() {
      for (const c of connections) c.close();
    },
  };
}
