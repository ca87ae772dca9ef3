// The one largest-remainder split: settlement (shared/payout.ts splitPool, mirrored in SQL by
// payout-sql.ts) and unspent run credits (server/domain/runs/credits.ts) both use it.
//
// Splits `total` cents across `weights` exactly: share_i = floor(total * w_i / W), and the
// leftover cents (fewer than the number of positive weights) go one each to the largest
// remainders (total * w_i) mod W; equal remainders go to the earlier index, so callers order
// the weights by priority (splitPool: earliest bet first). BigInt throughout: total * w_i may
// far exceed 2^53.
export function largestRemainderSplit(total: bigint, weights: readonly bigint[]): bigint[] {
  if (total < 0n) throw new RangeError(`total must not be negative, got ${total}`);
  let sum = 0n;
  for (const [i, w] of weights.entries()) {
    if (w < 0n) throw new RangeError(`weights[${i}] must not be negative, got ${w}`);
    sum += w;
  }
  if (sum === 0n) {
    if (total !== 0n) throw new RangeError("cannot split a positive total across zero weights");
    return weights.map(() => 0n);
  }
  const shares = weights.map((w) => (total * w) / sum);
  const leftover = shares.reduce((left, share) => left - share, total);
  // Stable sort by remainder alone keeps equal remainders in index order.
  const ranked = weights.map((w, i) => ({ i, rem: (total * w) % sum })).sort((a, b) => (a.rem === b.rem ? 0 : a.rem > b.rem ? -1 : 1));
  for (let k = 0n; k < leftover; k++) shares[ranked[Number(k)]!.i]! += 1n;
  return shares;
}
