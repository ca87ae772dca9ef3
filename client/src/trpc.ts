// The typed tRPC client: the procedures and their input/output types come straight from the
// server's router (a type-only import, so no server code reaches the bundle).
import { createTRPCReact, httpBatchLink, type CreateTRPCReact } from "@trpc/react-query";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import superjson from "superjson";
import type { AppRouter } from "../../server/trpc/root";
import { TRPC_MAX_BATCH_CALLS } from "@shared/trpc-limits";

export const trpc: CreateTRPCReact<AppRouter, unknown> = createTRPCReact<AppRouter>();

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export function createTrpcClient() {
  return trpc.createClient({
    links: [
      httpBatchLink({
        url: "/trpc",
        transformer: superjson,
        maxURLLength: 4000,
        maxItems: TRPC_MAX_BATCH_CALLS,
        fetch: (url, init) => fetch(url, { ...(init as RequestInit), credentials: "include" }),
      }),
    ],
  });
}
