import { type DevServer, startDevServer } from "@chaukas/devserver";
import { createNodeTransport } from "@chaukas/transport-node";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type BatchProcessorOptions,
  createBatchProcessor,
  createConnectExporter,
} from "../src/index.js";
import { expectBalanced, recordErrors, testEvent, testEvents } from "./pipeline-fixtures.js";

// The whole pipeline over the wire: batch processor → Connect exporter → connect-node gRPC
// (HTTP/2) → the local devserver with its fault switches. Retries sleep for real, briefly.
const FAST_RETRY = { initialBackoffMs: 5, maxBackoffMs: 50, maxAttempts: 50 };

let server: DevServer;

beforeAll(async () => {
  server = await startDevServer({ port: 0 });
});

afterAll(async () => {
  await server.close();
});

beforeEach(async () => {
  server.faults.reset();
  await server.faults.settled();
});

function pipeline(options: Partial<BatchProcessorOptions> = {}) {
  const transport = createNodeTransport({ baseUrl: server.url, protocol: "grpc" });
  return createBatchProcessor({
    exporter: createConnectExporter(transport),
    retry: FAST_RETRY,
    ...options,
  });
}

function storedIds(prefix: string): string[] {
  return server.store
    .events()
    .map((e) => e.eventId)
    .filter((id) => id.startsWith(prefix));
}

describe("pipeline against the devserver over gRPC", () => {
  it("every 3rd call and the first 5 UNAVAILABLE: 5 000 events, 0 lost, 0 duplicated", async () => {
    server.faults.set({
      failFirst: { code: Code.Unavailable, n: 5 },
      failEvery: { code: Code.Unavailable, k: 3 },
    });
    const injectedBefore = server.faults.injectedFailures;
    const processor = pipeline({ maxConcurrentExports: 2 });
    const events = testEvents(5000, 1_000_000);
    for (const event of events) {
      processor.enqueue(event);
    }
    expect(await processor.shutdown({ timeoutMs: 20_000 })).toEqual({
      completed: true,
      pending: 0,
    });
    const ids = storedIds("evt-01");
    expect(ids).toHaveLength(5000);
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e.eventId)));
    const stats = processor.stats();
    expect(stats).toMatchObject({ sent: 5000, failed: 0, queued: 0, inFlight: 0 });
    expect(stats.retried).toBe(server.faults.injectedFailures - injectedBefore);
    expect(server.store.duplicates).toBe(0);
    expectBalanced(stats);
  });

  it("a lost reply (stored, then UNAVAILABLE) is retried: duplicates arrive only then, and the backend de-duplicates them by event_id", async () => {
    server.faults.set({ failEvery: { code: Code.Unavailable, k: 4, afterStore: true } });
    const duplicatesBefore = server.store.duplicates;
    const injectedBefore = server.faults.injectedFailures;
    const processor = pipeline({ maxBatchSize: 50 });
    const events = testEvents(1000, 2_000_000);
    for (const event of events) {
      processor.enqueue(event);
    }
    await processor.flush();
    expect(storedIds("evt-02")).toHaveLength(1000);
    // Each injected failure stored a whole 50-event batch that the retry then sent again.
    const lostReplies = server.faults.injectedFailures - injectedBefore;
    expect(lostReplies).toBeGreaterThan(0);
    expect(server.store.duplicates - duplicatesBefore).toBe(lostReplies * 50);
    expect(processor.stats()).toMatchObject({ sent: 1000, retried: lostReplies });
  });

  it("backend down, then up: nothing lost", async () => {
    server.faults.down = true;
    await server.faults.settled();
    const recorder = recordErrors();
    const processor = pipeline({ onError: recorder.onError, flushIntervalMs: 10 });
    const events = testEvents(300, 3_000_000);
    for (const event of events) {
      processor.enqueue(event);
    }
    await expect.poll(() => recorder.errors.length, { timeout: 10_000 }).toBeGreaterThan(2);
    expect(recorder.errors.every((e) => e.info.willRetry)).toBe(true);
    expect([Code.Unavailable, Code.Unknown]).toContain(recorder.errors[0]?.error.code);
    server.faults.down = false;
    await server.faults.settled();
    expect(await processor.flush({ timeoutMs: 20_000 })).toEqual({ completed: true, pending: 0 });
    expect(new Set(storedIds("evt-03"))).toEqual(new Set(events.map((e) => e.eventId)));
    expect(processor.stats()).toMatchObject({ sent: 300, failed: 0 });
  });

  it("a batch above the server's byte limit is split until accepted; one event that never fits is dropped and reported", async () => {
    server.faults.maxBatchBytes = 8 * 1024;
    const recorder = recordErrors();
    const processor = pipeline({ onError: recorder.onError });
    const events = testEvents(60, 4_000_000);
    events[33] = testEvent(4_000_033, "x".repeat(10 * 1024));
    for (const event of events) {
      processor.enqueue(event);
    }
    await processor.flush();
    const expected = events.filter((_, i) => i !== 33).map((e) => e.eventId);
    expect(new Set(storedIds("evt-04"))).toEqual(new Set(expected));
    expect(processor.stats()).toMatchObject({ sent: 59, dropped: { tooLarge: 1 }, failed: 0 });
    const final = recorder.errors.filter((e) => !e.info.willRetry);
    expect(final.map((e) => [e.info.reason, e.info.events, e.error.code])).toEqual([
      ["too-large", 1, Code.ResourceExhausted],
    ]);
    expectBalanced(processor.stats());
  });

  it("PERMISSION_DENIED is not retried: one call per batch", async () => {
    server.faults.set({ failEvery: { code: Code.PermissionDenied, k: 1 } });
    const injectedBefore = server.faults.injectedFailures;
    const recorder = recordErrors();
    const processor = pipeline({ onError: recorder.onError, maxBatchSize: 10 });
    for (const event of testEvents(30, 5_000_000)) {
      processor.enqueue(event);
    }
    await processor.flush();
    expect(server.faults.injectedFailures - injectedBefore).toBe(3);
    expect(recorder.errors.map((e) => e.error.code)).toEqual(Array(3).fill(Code.PermissionDenied));
    expect(processor.stats()).toMatchObject({ failed: 30, exportCalls: 3 });
  });
});
