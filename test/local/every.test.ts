import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { every } from "../../functions/local/background.js";

describe("every", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("runs at once when woken without a settle time", async () => {
    const task = vi.fn(async () => {});
    const work = every(60_000, task, () => {});
    work.wake();
    expect(task).toHaveBeenCalledTimes(1);
    await work.stop();
  });

  it("makes one run of the wakes that arrive within the settle time", async () => {
    const task = vi.fn(async () => {});
    const work = every(60_000, task, () => {}, { settleMs: 50 });
    work.wake();
    await vi.advanceTimersByTimeAsync(20);
    work.wake();
    await vi.advanceTimersByTimeAsync(20);
    work.wake();
    expect(task).toHaveBeenCalledTimes(0);
    // Measured from the first wake: later ones do not put the run off.
    await vi.advanceTimersByTimeAsync(10);
    expect(task).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(task).toHaveBeenCalledTimes(1);
    await work.stop();
  });

  it("runs once more, a settle time after the run, for the wakes that arrived during it", async () => {
    let finish!: () => void;
    const task = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const work = every(60_000, task, () => {}, { settleMs: 50 });
    work.wake();
    await vi.advanceTimersByTimeAsync(50);
    expect(task).toHaveBeenCalledTimes(1);
    work.wake();
    work.wake();
    finish();
    await vi.advanceTimersByTimeAsync(49);
    expect(task).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(task).toHaveBeenCalledTimes(2);
    finish();
    await vi.advanceTimersByTimeAsync(1000);
    expect(task).toHaveBeenCalledTimes(2);
    await work.stop();
  });

  it("still runs at its interval, and not after it is stopped", async () => {
    const task = vi.fn(async () => {});
    const work = every(1000, task, () => {}, { settleMs: 50 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(task).toHaveBeenCalledTimes(1);
    work.wake();
    await work.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(task).toHaveBeenCalledTimes(1);
  });
});
