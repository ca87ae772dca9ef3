/**
 * Money helpers shared by server and client. All amounts are integer cents
 * (hundredths of the currency unit); nothing here goes through floating point.
 */

const formatters = new Map<string, Intl.NumberFormat>();

function currencyFormatter(currency: string): Intl.NumberFormat {
  let formatter = formatters.get(currency);
  if (!formatter) {
    // Throws RangeError for an unknown currency code.
    formatter = new Intl.NumberFormat("en-US", {
      style: "currency",
      currency,
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    });
    formatters.set(currency, formatter);
  }
  return formatter;
}

/**
 * "$1,234.56" for 123456; "-$1.00" for -100. Exact for any bigint: only the
 * whole-unit part goes through Intl (as a bigint), the two cent digits are
 * spliced in as text.
 */
export function formatCents(cents: number | bigint, currency = "USD"): string {
  if (typeof cents === "number" && !Number.isSafeInteger(cents)) {
    throw new RangeError(`formatCents: cents must be a safe integer, got ${String(cents)}`);
  }
  if (typeof cents !== "number" && typeof cents !== "bigint") {
    throw new TypeError(`formatCents: cents must be a number or bigint, got ${typeof cents}`);
  }
  const value = BigInt(cents);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const units = abs / 100n;
  const fraction = (abs % 100n).toString().padStart(2, "0");
  const text = currencyFormatter(currency)
    .formatToParts(units)
    .map((part) => (part.type === "fraction" ? fraction : part.value))
    .join("");
  return negative ? `-${text}` : text;
}

const DOLLARS_PATTERN = /^(-)?\$?(\d+)(?:\.(\d+))?$/;

/**
 * Parses a decimal dollar string into integer cents, exactly (no floats):
 * "12.34" → 1234, "12" → 1200, "0.5" → 50, "-1.00" → -100, "$5" → 500.
 * Accepted: optional "-", optional "$", digits, optional "." plus 1–2 digits.
 * Surrounding whitespace is ignored; thousands separators, exponents, "NaN",
 * "Infinity", ".5" and "5." are rejected.
 */
export function parseDollarsToCents(input: string): number {
  if (typeof input !== "string") {
    throw new TypeError(`parseDollarsToCents: expected a string, got ${typeof input}`);
  }
  const match = DOLLARS_PATTERN.exec(input.trim());
  if (!match) {
    throw new Error(`"${input}" is not a dollar amount: use digits with an optional decimal point, like 12.34`);
  }
  const [, sign, whole = "", decimals = ""] = match;
  if (decimals.length > 2) {
    throw new Error(`"${input}" has more than 2 decimal places: amounts are in whole cents`);
  }
  const magnitude = BigInt(whole) * 100n + BigInt(decimals.padEnd(2, "0"));
  if (magnitude > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new Error(`"${input}" is too large: at most ${Number.MAX_SAFE_INTEGER} cents`);
  }
  const cents = Number(magnitude);
  return sign && cents !== 0 ? -cents : cents;
}
