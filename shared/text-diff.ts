// The difference between two versions' texts, for the deliverable page: line parts from jsdiff's Myers
// diff, changed lines paired and diffed again word by word, and long unchanged stretches folded. A
// diff too costly to compute (two long, wholly different texts) is shown as "all removed, all
// added" rather than freezing the tab.
import { diffLines, diffWordsWithSpace } from "diff";

export type DiffKind = "equal" | "added" | "removed";

/** A stretch of text: in both texts (equal), only in the new one (added), only in the old one (removed). */
export interface DiffPart {
  kind: DiffKind;
  text: string;
}

/** One line as shown: its number in the old and/or new text, and for a changed line its word parts. */
export interface DiffRow {
  kind: DiffKind;
  oldNumber: number | null;
  newNumber: number | null;
  text: string;
  words?: DiffPart[];
}

/** Unchanged lines folded away between two hunks. */
export interface DiffGap {
  kind: "gap";
  count: number;
}

/** Past this many changed lines the diff gives up and shows the whole texts replaced. */
export const MAX_EDIT_LINES = 1000;

function toParts(changes: { value: string; added: boolean; removed: boolean }[]): DiffPart[] {
  const parts: DiffPart[] = [];
  for (const c of changes) {
    if (c.value === "") continue;
    const kind: DiffKind = c.added ? "added" : c.removed ? "removed" : "equal";
    const last = parts.at(-1);
    if (last?.kind === kind) last.text += c.value;
    else parts.push({ kind, text: c.value });
  }
  return parts;
}

/** Line by line: each part holds whole lines (with their line breaks), exactly as in the texts. */
export function diffText(before: string, after: string): DiffPart[] {
  if (before === after) return before === "" ? [] : [{ kind: "equal", text: before }];
  const changes = diffLines(before, after, { maxEditLength: MAX_EDIT_LINES });
  if (changes) return toParts(changes);
  return toParts([
    { value: before, added: false, removed: true },
    { value: after, added: true, removed: false },
  ]);
}

/** Word by word (whitespace kept as its own tokens), for a pair of changed lines. */
export function diffWords(before: string, after: string): DiffPart[] {
  if (before === after) return before === "" ? [] : [{ kind: "equal", text: before }];
  return toParts(diffWordsWithSpace(before, after));
}

/** The new text, from the old one and a diff of them; throws when the diff was not made from this text. */
export function applyDiff(before: string, parts: readonly DiffPart[]): string {
  let at = 0;
  let out = "";
  for (const p of parts) {
    if (p.kind === "added") {
      out += p.text;
      continue;
    }
    if (!before.startsWith(p.text, at)) throw new Error(`the diff does not apply: expected "${p.text.slice(0, 40)}" at ${at}`);
    at += p.text.length;
    if (p.kind === "equal") out += p.text;
  }
  if (at !== before.length) throw new Error("the diff does not apply: the old text is longer");
  return out;
}

/** The old text again, from the diff alone. */
export function revertDiff(parts: readonly DiffPart[]): string {
  return parts
    .filter((p) => p.kind !== "added")
    .map((p) => p.text)
    .join("");
}

const splitLines = (text: string) => {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop(); // the break that ends the last line starts no new one
  return lines;
};

/**
 * The rows to show: every line numbered in the old and new texts; a removed block followed by an added
 * block is paired line by line and each pair gets its word diff.
 */
export function diffRows(before: string, after: string): DiffRow[] {
  const rows: DiffRow[] = [];
  let oldNumber = 1;
  let newNumber = 1;
  const parts = diffText(before, after);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const lines = splitLines(part.text);
    if (part.kind === "equal") {
      for (const text of lines) rows.push({ kind: "equal", oldNumber: oldNumber++, newNumber: newNumber++, text });
      continue;
    }
    if (part.kind === "added") {
      for (const text of lines) rows.push({ kind: "added", oldNumber: null, newNumber: newNumber++, text });
      continue;
    }
    const next = parts[i + 1];
    const added = next?.kind === "added" ? splitLines(next.text) : [];
    if (next?.kind === "added") i++;
    const removedRows: DiffRow[] = lines.map((text, k) => {
      const pair = added[k];
      return {
        kind: "removed",
        oldNumber: oldNumber++,
        newNumber: null,
        text,
        ...(pair !== undefined && { words: diffWords(text, pair) }),
      };
    });
    const addedRows: DiffRow[] = added.map((text, k) => {
      const pair = lines[k];
      return {
        kind: "added",
        oldNumber: null,
        newNumber: newNumber++,
        text,
        ...(pair !== undefined && { words: diffWords(pair, text) }),
      };
    });
    rows.push(...removedRows, ...addedRows);
  }
  return rows;
}

/** Keeps `context` unchanged lines around each change and folds longer unchanged stretches into gaps. */
export function foldRows(rows: readonly DiffRow[], context = 3): (DiffRow | DiffGap)[] {
  const keep = rows.map((r) => r.kind !== "equal");
  const changed = keep.flatMap((k, i) => (k ? [i] : []));
  for (const i of changed) {
    for (let k = Math.max(0, i - context); k <= Math.min(rows.length - 1, i + context); k++) keep[k] = true;
  }
  const out: (DiffRow | DiffGap)[] = [];
  for (let i = 0; i < rows.length;) {
    let end = i;
    while (end < rows.length && !keep[end]) end++;
    // A gap of one line would hide nothing worth hiding.
    if (end - i > 1) {
      out.push({ kind: "gap", count: end - i });
      i = end;
    } else {
      out.push(rows[i]!);
      i++;
    }
  }
  return out;
}

/** How many lines were added and removed. */
export function diffStats(rows: readonly DiffRow[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const r of rows) {
    if (r.kind === "added") added++;
    else if (r.kind === "removed") removed++;
  }
  return { added, removed };
}
