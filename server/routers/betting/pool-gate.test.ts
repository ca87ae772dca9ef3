import { describe, expect, it } from "vitest";
import { throughPoolGate } from "./pool-gate";

describe("throughPoolGate", () => {
  it("lets two calls per key run at once, queues the rest in order, and keys do not wait for each other", async () => {
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (i: number) => async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running -= 1;
      order.push(i);
      return i;
    };
    const other = throughPoolGate("b", async () => "b");
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => throughPoolGate("a", task(i))));
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(await other).toBe("b");
  });

  it("frees the slot when a call fails", async () => {
    await expect(throughPoolGate("c", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(Promise.all([1, 2, 3].map((i) => throughPoolGate("c", async () => i)))).resolves.toEqual([1, 2, 3]);
  });
});
