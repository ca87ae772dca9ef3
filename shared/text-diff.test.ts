import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { applyDiff, diffRows, diffStats, diffText, diffWords, foldRows, MAX_EDIT_LINES, revertDiff, type DiffRow } from "./text-diff";

// Texts made of few distinct lines and words, so that random pairs share much and differ somewhere.
const line = fc.constantFrom("alpha", "beta gamma", "", "delta  epsilon", "ζ η θ", "the end.", "Beta gamma");
const text = fc
  .array(line, { maxLength: 30 })
  .chain((lines) => fc.boolean().map((trailingBreak) => lines.join("\n") + (trailingBreak && lines.length > 0 ? "\n" : "")));
const anyText = fc.oneof(text, fc.string({ maxLength: 60 }));

const oldSide = (rows: DiffRow[]) => rows.filter((r) => r.kind !== "added").map((r) => r.text);
const newSide = (rows: DiffRow[]) => rows.filter((r) => r.kind !== "removed").map((r) => r.text);
const lines = (t: string) => (t === "" ? [] : t.replace(/\n$/, "").split("\n"));

describe("diffText", () => {
  it("applying the diff to the old text gives the new one, and the diff alone gives back the old one", () => {
    fc.assert(
      fc.property(anyText, anyText, (a, b) => {
        const parts = diffText(a, b);
        expect(applyDiff(a, parts)).toBe(b);
        expect(revertDiff(parts)).toBe(a);
      }),
      { numRuns: 500 },
    );
  });

  it("a text against itself is all equal", () => {
    fc.assert(
      fc.property(anyText, (a) => {
        expect(diffText(a, a).every((p) => p.kind === "equal")).toBe(true);
        expect(diffRows(a, a).every((r) => r.kind === "equal")).toBe(true);
      }),
    );
  });

  it("keeps unchanged lines as equal and marks the changed one", () => {
    expect(diffText("a\nb\nc\n", "a\nB\nc\n")).toEqual([
      { kind: "equal", text: "a\n" },
      { kind: "removed", text: "b\n" },
      { kind: "added", text: "B\n" },
      { kind: "equal", text: "c\n" },
    ]);
  });

  it("rejects a diff made from another text", () => {
    expect(() => applyDiff("x\n", diffText("a\n", "b\n"))).toThrow(/does not apply/);
  });

  it("gives up on a huge edit and shows the texts replaced whole", () => {
    const a = Array.from({ length: MAX_EDIT_LINES + 10 }, (_, i) => `old ${i}`).join("\n");
    const b = Array.from({ length: MAX_EDIT_LINES + 10 }, (_, i) => `new ${i}`).join("\n");
    expect(diffText(a, b)).toEqual([
      { kind: "removed", text: a },
      { kind: "added", text: b },
    ]);
  });
});

describe("diffWords", () => {
  it("its equal and removed parts spell the old text, its equal and added parts the new one", () => {
    fc.assert(
      fc.property(anyText, anyText, (a, b) => {
        const parts = diffWords(a, b);
        expect(applyDiff(a, parts)).toBe(b);
        expect(revertDiff(parts)).toBe(a);
      }),
      { numRuns: 300 },
    );
  });

  it("marks only the changed word", () => {
    expect(diffWords("the quick fox", "the slow fox")).toEqual([
      { kind: "equal", text: "the " },
      { kind: "removed", text: "quick" },
      { kind: "added", text: "slow" },
      { kind: "equal", text: " fox" },
    ]);
  });
});

describe("diffRows", () => {
  it("shows every old line once on the old side and every new line once on the new side, numbered in order", () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        const rows = diffRows(a, b);
        expect(oldSide(rows)).toEqual(lines(a));
        expect(newSide(rows)).toEqual(lines(b));
        const oldNumbers = rows.flatMap((r) => (r.oldNumber === null ? [] : [r.oldNumber]));
        const newNumbers = rows.flatMap((r) => (r.newNumber === null ? [] : [r.newNumber]));
        expect(oldNumbers).toEqual(lines(a).map((_, i) => i + 1));
        expect(newNumbers).toEqual(lines(b).map((_, i) => i + 1));
      }),
      { numRuns: 300 },
    );
  });

  it("pairs a changed line with its replacement and diffs their words", () => {
    const rows = diffRows("one\ntwo three\n", "one\ntwo four\n");
    expect(rows.map((r) => [r.kind, r.text])).toEqual([
      ["equal", "one"],
      ["removed", "two three"],
      ["added", "two four"],
    ]);
    expect(rows[1]!.words).toEqual([
      { kind: "equal", text: "two " },
      { kind: "removed", text: "three" },
      { kind: "added", text: "four" },
    ]);
    expect(diffStats(rows)).toEqual({ added: 1, removed: 1 });
  });
});

describe("foldRows", () => {
  it("keeps the context around changes and folds the rest, losing no line", () => {
    fc.assert(
      fc.property(text, text, fc.integer({ min: 0, max: 4 }), (a, b, context) => {
        const rows = diffRows(a, b);
        const folded = foldRows(rows, context);
        const count = folded.reduce((n, r) => n + (r.kind === "gap" ? r.count : 1), 0);
        expect(count).toBe(rows.length);
        for (const r of folded) if (r.kind === "gap") expect(r.count).toBeGreaterThan(1);
        expect(folded.filter((r) => r.kind === "added" || r.kind === "removed")).toHaveLength(
          rows.filter((r) => r.kind !== "equal").length,
        );
      }),
    );
  });

  it("folds a long unchanged stretch between two changes", () => {
    const a = ["x", ...Array.from({ length: 10 }, (_, i) => `same ${i}`), "y"].join("\n");
    const b = ["X", ...Array.from({ length: 10 }, (_, i) => `same ${i}`), "Y"].join("\n");
    const folded = foldRows(diffRows(a, b), 2);
    expect(folded.map((r) => (r.kind === "gap" ? `gap ${r.count}` : r.text))).toEqual([
      "x",
      "X",
      "same 0",
      "same 1",
      "gap 6",
      "same 8",
      "same 9",
      "y",
      "Y",
    ]);
  });
});
