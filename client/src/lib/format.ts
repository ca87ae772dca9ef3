// Display helpers. Money goes through shared/money.ts (integer cents, exact).
import { parseDollarsToCents } from "@shared/money";

export { formatCents, parseDollarsToCents } from "@shared/money";
export { formatMultiplier, formatPercent } from "@shared/odds";

export function toDate(value: Date | string | number | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value : new Date(value);
}

/** "1h 04m", "3m 07s", "12s"; "0s" when past. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, "0")}s`;
  return `${s}s`;
}

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

export function formatAgo(value: Date | string | number | null | undefined, now = Date.now()): string {
  const d = toDate(value);
  if (!d) return "—";
  const seconds = Math.round((d.getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return "just now";
  if (abs < 3600) return relative.format(Math.round(seconds / 60), "minute");
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), "hour");
  return relative.format(Math.round(seconds / 86_400), "day");
}

const timeFormat = new Intl.DateTimeFormat("en", { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
const dateTimeFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short" });

export function formatClock(value: Date | string | number): string {
  return timeFormat.format(toDate(value)!);
}

export function formatDateTime(value: Date | string | number | null | undefined): string {
  const d = toDate(value);
  return d ? dateTimeFormat.format(d) : "—";
}

/** Progress numbers: integers as-is, others with up to 2 decimals. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return "—";
  return Number.isInteger(n) ? n.toLocaleString("en-US") : n.toLocaleString("en-US", { maximumFractionDigits: 2 });
}

export function progressPercent(current: number, target: number): number {
  if (!(target > 0)) return 0;
  return Math.max(0, Math.min(100, (current / target) * 100));
}

/** Dollars typed into a form → cents, or an error message naming the rule. */
export function centsFromInput(text: string): { cents: number } | { error: string } {
  const trimmed = text.trim();
  if (!trimmed) return { error: "enter an amount" };
  try {
    // Thousands separators are a typing habit, not an error.
    const cents = parseDollarsToCents(trimmed.replace(/,/g, ""));
    if (cents <= 0) return { error: "must be greater than $0.00" };
    return { cents };
  } catch (e) {
    return { error: e instanceof Error ? e.message : "is not an amount" };
  }
}
