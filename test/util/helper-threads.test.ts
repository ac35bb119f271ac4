import { describe, expect, it, vi } from "vitest";
import { shareStudies, startHelpers } from "../../lib/util/helper-threads";

// Pass 2 hands its studies to this thread and to worker threads at once; what it writes must not
// depend on who took which study or when each finished.

const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe("shareStudies", () => {
  it("gives every result once, in list order, while a helper takes studies beside this thread", async () => {
    const here: number[] = [];
    const there: number[] = [];
    const seen: [number, string][] = [];
    await shareStudies(
      12,
      async (i) => {
        here.push(i);
        return later(5, `s${i}`);
      },
      [
        async (i) => {
          there.push(i);
          return later(i % 3 ? 1 : 12, `s${i}`); // out of order: some of its studies are slow
        },
      ],
      (i, r) => seen.push([i, r]),
    );
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => [i, `s${i}`]));
    expect(there.length).toBeGreaterThan(2);
    expect(here.length).toBeGreaterThan(0);
    expect([...here, ...there].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it("a study here that never leaves the microtask queue (reads that resolve at once) still lets the helper take its share", async () => {
    const spin = (ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end); // synchronous work, as TensorFlow's predict is
    };
    let there = 0;
    await shareStudies(
      40,
      async (i) => {
        await Promise.resolve();
        spin(3);
        return i;
      },
      [
        async (i) => {
          there++;
          return later(1, i); // a worker's answer arrives as an event
        },
      ],
      () => undefined,
    );
    expect(there).toBeGreaterThan(10);
  });

  it("a helper that fails hands its studies back to this thread, and says so once", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const seen: number[] = [];
    let calls = 0;
    await shareStudies(
      8,
      async (i) => i * 10,
      [
        async (i) => {
          calls++;
          if (calls > 1) throw new Error("worker exited (code 1)");
          return i * 10;
        },
      ],
      (i, r) => {
        expect(r).toBe(i * 10);
        seen.push(i);
      },
    );
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(calls).toBeLessThanOrEqual(3); // two in flight when it failed, none after
    expect(error).toHaveBeenCalledTimes(1);
    expect(String(error.mock.calls[0][0])).toContain("worker exited (code 1)");
    error.mockRestore();
  });

  it("without helpers it is a plain loop in order; an empty list calls nothing", async () => {
    const order: number[] = [];
    await shareStudies(
      4,
      async (i) => i,
      [],
      (i) => order.push(i),
    );
    expect(order).toEqual([0, 1, 2, 3]);
    const none = vi.fn();
    await shareStudies(0, async () => 0, [], none);
    expect(none).not.toHaveBeenCalled();
  });
});

describe("startHelpers", () => {
  it("starts none (and builds no init) on one thread or for a single study", () => {
    const init = vi.fn(() => ({}));
    const module = { callerFile: __filename, dir: __dirname, name: "no-such-module" };
    expect(startHelpers(1, 100, module, init)).toEqual([]);
    expect(startHelpers(8, 1, module, init)).toEqual([]);
    expect(startHelpers(0, 0, module, init)).toEqual([]);
    expect(init).not.toHaveBeenCalled();
  });
});
