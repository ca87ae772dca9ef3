import { describe, expect, it } from "vitest";
import { derivePriority } from "./task-priority";

const now = new Date("2026-12-02T12:00:00Z");
const inHours = (h: number) => new Date(now.getTime() + h * 3_600_000);

describe("derivePriority", () => {
  it.each([
    ["a revision, whatever the deadline", "revision", null, 5],
    ["a revision far from its deadline", "revision", inHours(24 * 365), 5],
    ["no deadline", "task", null, 3],
    ["overdue", "task", inHours(-5), 5],
    ["due within a day", "task", inHours(20), 5],
    ["due in two days", "task", inHours(48), 4],
    ["due in a week", "task", inHours(24 * 7), 3],
    ["due in a month", "task", inHours(24 * 30), 2],
    ["due in a year", "task", inHours(24 * 365), 1],
  ] as const)("%s", (_name, type, deadline, expected) => {
    expect(derivePriority({ type, deadline, now })).toBe(expected);
  });
});
