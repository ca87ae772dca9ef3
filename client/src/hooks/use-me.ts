import { trpc } from "../trpc";
import { isUnauthorized } from "../lib/errors";

/** The signed-in user (with balance), or `user: null` when signed out. */
export function useMe() {
  const query = trpc.user.me.useQuery(undefined, {
    retry: (count, error) => !isUnauthorized(error) && count < 2,
    staleTime: 60_000,
  });
  const signedOut = query.isError && isUnauthorized(query.error);
  return { ...query, user: query.data ?? null, signedOut };
}
