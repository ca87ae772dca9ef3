import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { formatCents, parseDollarsToCents } from "./money";

describe("formatCents", () => {
  it("formats dollars with grouping and two decimals", () => {
    expect(formatCents(123456)).toBe("$1,234.56");
    expect(formatCents(0)).toBe("$0.00");
    expect(formatCents(5)).toBe("$0.05");
    expect(formatCents(100)).toBe("$1.00");
  });

  it("puts the minus sign before the currency symbol, including below one dollar", () => {
    expect(formatCents(-100)).toBe("-$1.00");
    expect(formatCents(-5)).toBe("-$0.05");
    expect(formatCents(-0)).toBe("$0.00");
  });

  it("is exact for bigint beyond the safe integer range", () => {
    expect(formatCents(123456789012345678901n)).toBe("$1,234,567,890,123,456,789.01");
    expect(formatCents(-9007199254740993n)).toBe("-$90,071,992,547,409.93");
  });

  it("uses the given currency", () => {
    expect(formatCents(123456, "EUR")).toBe("€1,234.56");
  });

  it("rejects non-integer numbers", () => {
    expect(() => formatCents(1.5)).toThrow(RangeError);
    expect(() => formatCents(Number.NaN)).toThrow(/safe integer/);
    expect(() => formatCents(Number.MAX_SAFE_INTEGER + 1)).toThrow(RangeError);
  });
});

describe("parseDollarsToCents", () => {
  it("parses exact amounts", () => {
    expect(parseDollarsToCents("12.34")).toBe(1234);
    expect(parseDollarsToCents("12")).toBe(1200);
    expect(parseDollarsToCents("12.3")).toBe(1230);
    expect(parseDollarsToCents("0.01")).toBe(1);
    expect(parseDollarsToCents(" $5.00 ")).toBe(500);
    expect(parseDollarsToCents("-1.00")).toBe(-100);
    expect(parseDollarsToCents("-0")).toBe(0);
    expect(Object.is(parseDollarsToCents("-0.00"), 0)).toBe(true);
  });

  it("does not go through floating point", () => {
    // parseFloat("1.15") * 100 === 114.99999999999999
    expect(parseDollarsToCents("1.15")).toBe(115);
    expect(parseDollarsToCents("90071992547409.91")).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("rejects more than two decimals, naming the rule", () => {
    expect(() => parseDollarsToCents("1.234")).toThrow(/more than 2 decimal places/);
    expect(() => parseDollarsToCents("1.000")).toThrow(/more than 2 decimal places/);
  });

  it("rejects things that are not amounts", () => {
    for (const bad of ["", "NaN", "abc", "1e3", "Infinity", "1,000", ".5", "5.", "1.2.3", "--1", "+1", "0x10"]) {
      expect(() => parseDollarsToCents(bad), bad).toThrow(/not a dollar amount/);
    }
  });

  it("rejects amounts past the safe integer range", () => {
    expect(() => parseDollarsToCents("90071992547409.92")).toThrow(/too large/);
  });

  it("round-trips with formatCents", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (cents) => {
        const text = formatCents(cents).replace(/[$,]/g, "");
        expect(parseDollarsToCents(text)).toBe(cents);
      }),
      { numRuns: 1000 },
    );
  });
});
