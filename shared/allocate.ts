// Splits an integer amount of cents across weights, exactly: each share is floored and the
// leftover cents go one each to the largest fractional remainders (ties: earlier index).
// Integer (BigInt) arithmetic only, so shares always sum to the total.
export function allocateProRata(total: number, weights: readonly number[]): number[] {
  if (!Number.isSafeInteger(total) || total < 0) throw new RangeError("total must be a non-negative safe integer");
  const sum = weights.reduce((s, w) => {
    if (!Number.isSafeInteger(w) || w < 0) throw new RangeError("weights must be non-negative safe integers");
    return s + BigInt(w);
  }, 0n);
  if (sum === 0n) {
    if (total !== 0) throw new RangeError("cannot allocate a positive total across zero weights");
    return weights.map(() => 0);
  }
  const t = BigInt(total);
  const shares = weights.map((w) => (t * BigInt(w)) / sum);
  let left = Number(t - shares.reduce((s, x) => s + x, 0n));
  const order = weights
    .map((w, i) => ({ i, rem: (t * BigInt(w)) % sum }))
    .sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (const { i } of order) {
    if (left === 0) break;
    shares[i]! += 1n;
    left -= 1;
  }
  return shares.map(Number);
}
