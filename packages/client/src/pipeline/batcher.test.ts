// The batcher alone: batches cut by count, exact bytes and time, and its interval timer.
import { afterEach, describe, expect, it, vi } from "vitest";
import { testEvents } from "../../test/pipeline-fixtures.js";
import { encodeEvents, requestBytesOf } from "../wire/encoded-batch.js";
import { Batcher } from "./batcher.js";

function entries(count: number) {
  const events = testEvents(count);
  const bytes = encodeEvents(events);
  return events.map((event, i) => ({ event, bytes: bytes[i]!, seq: 100 + i }));
}

afterEach(() => {
  vi.useRealTimers();
});

describe("Batcher", () => {
  it("is full at maxBatchSize events and cuts batches of at most that many, oldest first", () => {
    const batcher = new Batcher(
      { maxBatchSize: 3, maxBatchBytes: 1 << 20, flushIntervalMs: 1000 },
      () => {},
    );
    const all = entries(7);
    for (const entry of all.slice(0, 2)) batcher.add(entry);
    expect(batcher.full).toBe(false);
    for (const entry of all.slice(2)) batcher.add(entry);
    expect(batcher).toMatchObject({ length: 7, headSeq: 100, full: true });

    expect(batcher.cut().events).toEqual(all.slice(0, 3).map((e) => e.event));
    expect(batcher.headSeq).toBe(103);
    expect(batcher.cut().events).toHaveLength(3);
    expect(batcher.cut().events).toEqual([all[6]!.event]);
    expect(batcher).toMatchObject({ length: 0, headSeq: undefined, full: false });
  });

  it("is full once the events' bytes reach maxBatchBytes, and cuts at the exact request size", () => {
    const all = entries(10);
    const oneEvent = all[0]!.bytes.length;
    const maxBatchBytes = 4 * oneEvent;
    const batcher = new Batcher(
      { maxBatchSize: 100, maxBatchBytes, flushIntervalMs: 1000 },
      () => {},
    );
    for (const entry of all.slice(0, 3)) batcher.add(entry);
    expect(batcher.full).toBe(false);
    batcher.add(all[3]!);
    expect(batcher.full).toBe(true);
    for (const entry of all.slice(4)) batcher.add(entry);
    const batch = batcher.cut();
    // The request adds framing to the events' bytes: fewer than 4 events fit.
    expect(batch.events.length).toBeLessThan(4);
    expect(requestBytesOf(batch)).toBeLessThanOrEqual(maxBatchBytes);
    // A lower limit (the keepalive budget) cuts smaller batches.
    expect(batcher.cut(2 * oneEvent).events.length).toBeLessThan(batch.events.length);
  });

  it("runs its interval timer only while asked to, and calls back once per interval", () => {
    vi.useFakeTimers();
    let intervals = 0;
    const batcher = new Batcher(
      { maxBatchSize: 10, maxBatchBytes: 1 << 20, flushIntervalMs: 50 },
      () => {
        intervals++;
      },
    );
    batcher.updateTimer(true);
    batcher.updateTimer(true); // a second call does not arm a second timer
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(50);
    expect(intervals).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
    batcher.updateTimer(true);
    batcher.updateTimer(false);
    vi.advanceTimersByTime(100);
    expect(intervals).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("clear() drops what it holds and says how much", () => {
    const batcher = new Batcher(
      { maxBatchSize: 2, maxBatchBytes: 1 << 20, flushIntervalMs: 1000 },
      () => {},
    );
    for (const entry of entries(3)) batcher.add(entry);
    expect(batcher.clear()).toBe(3);
    expect(batcher).toMatchObject({ length: 0, full: false });
  });
});
