// The batch processor at work against an in-memory Connect backend: batching, the bounded queue,
// retries, size rejections, prepare, flush and shutdown; stats checked after every step.
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { IngestEventBatchRequestSchema } from "@chaukas/spec/client/v1";
import { type Event, EventBatchSchema } from "@chaukas/spec/common/v1";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  checkedEveryStep,
  createGate,
  createTestBackend,
  expectBalanced,
  recordErrors,
  recordSleeps,
  type TestBackend,
  testEvent,
  testEvents,
} from "../../test/pipeline-fixtures.js";
import { createConnectExporter } from "../wire/connect-exporter.js";
import { KEEPALIVE_MAX_BATCH_BYTES, keepaliveContextKey } from "../wire/keepalive.js";
import { createBatchProcessor } from "./batch-processor.js";
import type { BatchProcessorOptions } from "./batch-processor-options.js";
import { PROCESSOR_DEFAULTS } from "./processor-defaults.js";

// Long enough never to fire during a test: only count, bytes and flush() cut batches.
const NEVER = 3_600_000;

afterEach(() => {
  vi.useRealTimers();
});

/** A processor whose stats balance after every step (`checkedEveryStep`). */
const processorOf = (options: BatchProcessorOptions) =>
  checkedEveryStep(createBatchProcessor, options);

/** `processorOf` exporting to `backend` over Connect. */
const processorFor = (backend: TestBackend, options: Omit<BatchProcessorOptions, "exporter">) =>
  processorOf({ exporter: createConnectExporter(backend.transport), ...options });

describe("batching", () => {
  it("exports a batch as soon as maxBatchSize events are queued, the rest on flush", async () => {
    const backend = createTestBackend();
    const processor = processorFor(backend, {
      maxBatchSize: 10,
      flushIntervalMs: NEVER,
    });
    for (const event of testEvents(35)) {
      processor.enqueue(event);
    }
    await vi.waitFor(() => expect(backend.accepted).toHaveLength(3));
    expect(backend.accepted.map((b) => b.events.length)).toEqual([10, 10, 10]);
    expect(processor.stats().queued).toBe(5);
    expectBalanced(processor.stats());

    expect(await processor.flush()).toEqual({ completed: true, pending: 0 });
    expect(backend.accepted.map((b) => b.events.length)).toEqual([10, 10, 10, 5]);
    expect(backend.acceptedIds()).toEqual(testEvents(35).map((e) => e.eventId));
    expect(processor.stats()).toMatchObject({ emitted: 35, sent: 35, queued: 0, inFlight: 0 });
    expectBalanced(processor.stats());
  });

  it("cuts batches at maxBatchBytes of the encoded request: exactly at the limit goes as one", async () => {
    // Freeze Date only, so batch timestamps (part of the request) have a known size.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2025-06-01T12:00:00.500Z"));
    const events = testEvents(12);
    const fiveEventRequest = toBinary(IngestEventBatchRequestSchema, {
      $typeName: "chaukas.spec.client.v1.IngestEventBatchRequest",
      eventBatch: create(EventBatchSchema, {
        batchId: crypto.randomUUID(),
        timestamp: timestampFromMs(Date.now()),
        events: events.slice(0, 5),
      }),
    }).length;

    for (const [limit, expected] of [
      [fiveEventRequest, [5, 5, 2]],
      [fiveEventRequest - 1, [4, 4, 4]],
    ] as const) {
      const backend = createTestBackend();
      const processor = processorFor(backend, {
        maxBatchBytes: limit,
        flushIntervalMs: NEVER,
      });
      for (const event of events) {
        processor.enqueue(event);
      }
      await processor.flush();
      expect(backend.accepted.map((b) => b.events.length)).toEqual(expected);
      for (const bytes of backend.acceptedBytes) {
        expect(bytes).toBeLessThanOrEqual(limit);
      }
      if (limit === fiveEventRequest) {
        expect(backend.acceptedBytes[0]).toBe(limit);
      }
    }
  });

  it("exports what waited flushIntervalMs, holding a timer only while events wait", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const backend = createTestBackend();
    const processor = processorFor(backend, {
      flushIntervalMs: 1000,
    });
    expect(vi.getTimerCount()).toBe(0);
    for (const event of testEvents(3)) {
      processor.enqueue(event);
    }
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(backend.calls).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(backend.accepted).toHaveLength(1));
    expect(backend.accepted[0]?.events).toHaveLength(3);
    await vi.waitFor(() => expect(processor.stats().inFlight).toBe(0));
    // Edge runtimes: nothing left scheduled once the queue is empty.
    expect(vi.getTimerCount()).toBe(0);
  });

  it("stamps each batch with a fresh batch_id, a timestamp and the aggregates", async () => {
    const backend = createTestBackend();
    const processor = processorFor(backend, {
      maxBatchSize: 2,
    });
    processor.enqueue(testEvent(1));
    processor.enqueue(testEvent(2));
    processor.enqueue(testEvent(3));
    await processor.flush();
    const [first, second] = backend.accepted;
    expect(first?.batchId).toMatch(/^[0-9a-f-]{36}$/);
    expect(second?.batchId).not.toBe(first?.batchId);
    expect(first?.timestamp?.seconds).toBeGreaterThan(0n);
  });

  it("never runs more than maxConcurrentExports exports at once", async () => {
    for (const limit of [1, 3]) {
      const backend = createTestBackend({
        behaviour: () => new Promise((resolve) => setTimeout(resolve, 5)),
      });
      const processor = processorFor(backend, {
        maxBatchSize: 10,
        maxConcurrentExports: limit,
      });
      for (const event of testEvents(200)) {
        processor.enqueue(event);
      }
      await processor.flush();
      expect(backend.acceptedIds()).toHaveLength(200);
      expect(backend.maxConcurrent).toBe(limit);
    }
  });
});

describe("bounded queue", () => {
  it("drops exactly the newest events beyond maxQueueSize while the backend is blocked, then delivers the rest", async () => {
    const gate = createGate();
    const backend = createTestBackend({ behaviour: () => gate.wait });
    const processor = processorFor(backend, {});
    const events = testEvents(10_050);
    for (const event of events) {
      processor.enqueue(event);
    }
    expect(processor.stats().dropped.queueFull).toBe(50);
    expectBalanced(processor.stats());

    // In-flight events still count against the bound: memory stays bounded while blocked.
    await vi.waitFor(() => expect(backend.calls).toBe(1));
    processor.enqueue(testEvent(20_000));
    const firstBatch = PROCESSOR_DEFAULTS.maxBatchSize;
    expect(processor.stats()).toMatchObject({ queued: 10_000 - firstBatch, inFlight: firstBatch });
    expect(processor.stats().dropped.queueFull).toBe(51);
    expectBalanced(processor.stats());

    gate.open();
    expect(await processor.flush()).toEqual({ completed: true, pending: 0 });
    const ids = backend.acceptedIds();
    expect(ids).toHaveLength(10_000);
    expect(new Set(ids).size).toBe(10_000);
    expect(ids).toEqual(events.slice(0, 10_000).map((e) => e.eventId));
    expect(processor.stats()).toMatchObject({ emitted: 10_051, sent: 10_000, failed: 0 });
    expectBalanced(processor.stats());
  });
});

describe("retries", () => {
  it("recovers from injected Unavailable with 0 lost and 0 duplicated events, same batch ids", async () => {
    const sleeps = recordSleeps();
    const backend = createTestBackend({
      behaviour: ({ n }) => {
        if (n <= 4 || n % 3 === 0) {
          throw new ConnectError("backend blinked", Code.Unavailable);
        }
      },
    });
    const processor = processorFor(backend, {
      maxBatchSize: 50,
      maxConcurrentExports: 2,
      sleep: sleeps.sleep,
    });
    const events = testEvents(5000);
    for (const event of events) {
      processor.enqueue(event);
    }
    expect(await processor.flush()).toEqual({ completed: true, pending: 0 });
    const ids = backend.acceptedIds();
    expect(ids).toHaveLength(5000);
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e.eventId)));
    const rejected = backend.calls - backend.accepted.length;
    expect(rejected).toBeGreaterThan(4);
    expect(processor.stats()).toMatchObject({
      sent: 5000,
      failed: 0,
      retried: rejected,
      exportCalls: backend.calls,
    });
    expect(sleeps.delays).toHaveLength(rejected);
    // A retried batch keeps its id: every rejected batch id was accepted later, exactly once.
    const acceptedBatchIds = backend.accepted.map((b) => b.batchId);
    expect(new Set(acceptedBatchIds).size).toBe(acceptedBatchIds.length);
    expect(new Set(backend.received.map((b) => b.batchId))).toEqual(new Set(acceptedBatchIds));
    expectBalanced(processor.stats());
  });

  it.each([
    Code.InvalidArgument,
    Code.Unauthenticated,
    Code.PermissionDenied,
    Code.NotFound,
    Code.Unimplemented,
    Code.FailedPrecondition,
  ])(
    "does not retry code %s: one call per batch, onError gets the typed ConnectError",
    async (code) => {
      const recorder = recordErrors();
      const backend = createTestBackend({
        behaviour: () => {
          throw new ConnectError("no", code);
        },
      });
      const processor = processorFor(backend, {
        maxBatchSize: 10,
        onError: recorder.onError,
      });
      for (const event of testEvents(25)) {
        processor.enqueue(event);
      }
      expect(await processor.flush()).toEqual({ completed: true, pending: 0 });
      expect(backend.calls).toBe(3);
      expect(recorder.errors).toHaveLength(3);
      for (const { error, info } of recorder.errors) {
        expect(error).toBeInstanceOf(ConnectError);
        expect(error.code).toBe(code);
        expect(info).toMatchObject({ willRetry: false, reason: "rejected" });
      }
      expect(recorder.errors.map((e) => e.info.events)).toEqual([10, 10, 5]);
      expect(processor.stats()).toMatchObject({ failed: 25, sent: 0, retried: 0 });
      expectBalanced(processor.stats());
    },
  );

  it("backs off with full jitter, growing per retry up to maxBackoffMs", async () => {
    const sleeps = recordSleeps();
    const backend = createTestBackend({
      behaviour: ({ n }) => {
        if (n <= 6) {
          throw new ConnectError("down", Code.Unavailable);
        }
      },
    });
    const processor = processorFor(backend, {
      sleep: sleeps.sleep,
      random: () => 0.5,
      retry: { initialBackoffMs: 200, multiplier: 2, maxBackoffMs: 1000 },
    });
    processor.enqueue(testEvent(1));
    await processor.flush();
    expect(sleeps.delays).toEqual([100, 200, 400, 500, 500, 500]);
    expect(processor.stats()).toMatchObject({ sent: 1, retried: 6 });
  });

  it("honours grpc-retry-pushback-ms and retry-after from the server", async () => {
    const sleeps = recordSleeps();
    const backend = createTestBackend({
      behaviour: ({ n }) => {
        if (n === 1) {
          throw new ConnectError("slow down", Code.ResourceExhausted, {
            "grpc-retry-pushback-ms": "1234",
          });
        }
        if (n === 2) {
          throw new ConnectError("maintenance", Code.Unavailable, { "retry-after": "3" });
        }
      },
    });
    const processor = processorFor(backend, {
      sleep: sleeps.sleep,
    });
    processor.enqueue(testEvent(1));
    await processor.flush();
    expect(sleeps.delays).toEqual([1234, 3000]);
    expect(backend.accepted).toHaveLength(1);
  });

  it("gives up after maxAttempts and counts the events as failed", async () => {
    const sleeps = recordSleeps();
    const recorder = recordErrors();
    const backend = createTestBackend({
      behaviour: () => {
        throw new ConnectError("down", Code.Unavailable);
      },
    });
    const processor = processorFor(backend, {
      sleep: sleeps.sleep,
      onError: recorder.onError,
      retry: { maxAttempts: 4 },
    });
    for (const event of testEvents(7)) {
      processor.enqueue(event);
    }
    expect(await processor.flush()).toEqual({ completed: true, pending: 0 });
    expect(backend.calls).toBe(4);
    expect(recorder.errors.map((e) => [e.info.reason, e.info.willRetry])).toEqual([
      ["rejected", true],
      ["rejected", true],
      ["rejected", true],
      ["retries-exhausted", false],
    ]);
    expect(processor.stats()).toMatchObject({ failed: 7, retried: 3, exportCalls: 4 });
    expectBalanced(processor.stats());
  });

  it("aborts an attempt after exportTimeoutMs and retries it as a timeout", async () => {
    const recorder = recordErrors();
    const aborted: boolean[] = [];
    const backend = createTestBackend({
      behaviour: ({ n, context }) => {
        if (n === 1) {
          return new Promise((resolve) => {
            context.signal.addEventListener("abort", () => {
              aborted.push(true);
              resolve();
            });
          });
        }
      },
    });
    const processor = processorFor(backend, {
      exportTimeoutMs: 50,
      onError: recorder.onError,
      sleep: recordSleeps().sleep,
    });
    processor.enqueue(testEvent(1));
    expect(await processor.flush()).toEqual({ completed: true, pending: 0 });
    expect(recorder.errors).toHaveLength(1);
    expect(recorder.errors[0]?.error.code).toBe(Code.DeadlineExceeded);
    expect(recorder.errors[0]?.info).toMatchObject({ reason: "timeout", willRetry: true });
    expect(processor.stats()).toMatchObject({ sent: 1, retried: 1 });
    await vi.waitFor(() => expect(aborted).toEqual([true]));
  });
});

describe("size rejections", () => {
  it("splits a batch the backend refuses for size until it fits; drops and reports a lone oversize event", async () => {
    const recorder = recordErrors();
    // Connect's own limit answers ResourceExhausted "message size ... is larger than ...".
    const backend = createTestBackend({ readMaxBytes: 4096 });
    const processor = processorFor(backend, {
      onError: recorder.onError,
    });
    const events = testEvents(40);
    events[17] = testEvent(17, "x".repeat(5000));
    for (const event of events) {
      processor.enqueue(event);
    }
    expect(await processor.flush()).toEqual({ completed: true, pending: 0 });
    const expectedIds = events.filter((_, i) => i !== 17).map((e) => e.eventId);
    expect(backend.acceptedIds().sort()).toEqual(expectedIds.sort());
    expect(processor.stats()).toMatchObject({ sent: 39, failed: 0, dropped: { tooLarge: 1 } });
    const final = recorder.errors.filter((e) => !e.info.willRetry);
    expect(final).toHaveLength(1);
    expect(final[0]?.info).toMatchObject({ reason: "too-large", events: 1 });
    expect(final[0]?.error.code).toBe(Code.ResourceExhausted);
    expectBalanced(processor.stats());
  });

  it("splits on the chaukas-error-reason: batch-too-large metadata", async () => {
    const backend = createTestBackend({
      behaviour: ({ batch }) => {
        if (batch.events.length > 3) {
          throw new ConnectError("rejected", Code.ResourceExhausted, {
            "chaukas-error-reason": "batch-too-large",
          });
        }
      },
    });
    const processor = processorFor(backend, {
      maxBatchSize: 10,
    });
    const events = testEvents(10);
    for (const event of events) {
      processor.enqueue(event);
    }
    await processor.flush();
    // 10 → 5 + 5 → (3 + 2) + (3 + 2), in order.
    expect(backend.accepted.map((b) => b.events.length)).toEqual([3, 2, 3, 2]);
    expect(backend.acceptedIds()).toEqual(events.map((e) => e.eventId));
  });
});

describe("prepare", () => {
  it("runs serially in queue order, once per event, before sizing; null counts as a beforeSend drop", async () => {
    const backend = createTestBackend();
    const seen: string[] = [];
    let running = 0;
    const processor = processorFor(backend, {
      maxBatchSize: 4,
      async prepare(event) {
        running++;
        expect(running).toBe(1);
        await new Promise((resolve) => setTimeout(resolve, 1));
        seen.push(event.eventId);
        running--;
        return event.eventId.endsWith("3") ? null : { ...event, tags: ["prepared"] };
      },
    });
    const events = testEvents(10);
    for (const event of events) {
      processor.enqueue(event);
    }
    await processor.flush();
    expect(seen).toEqual(events.map((e) => e.eventId));
    expect(backend.acceptedIds()).toEqual(
      events.map((e) => e.eventId).filter((id) => !id.endsWith("3")),
    );
    expect(backend.accepted.every((b) => b.events.every((e) => e.tags[0] === "prepared"))).toBe(
      true,
    );
    expect(processor.stats()).toMatchObject({ sent: 9, dropped: { beforeSend: 1 } });
    expectBalanced(processor.stats());
  });

  it("fails closed per event: an event whose prepare throws or rejects is dropped unsent, the others go out", async () => {
    const recorder = recordErrors();
    const drops: string[] = [];
    const backend = createTestBackend();
    const events = testEvents(6);
    const processor = processorFor(backend, {
      onError: recorder.onError,
      onDrop: (reason, count) => drops.push(`${reason}:${count}`),
      prepare(event) {
        if (event.eventId === events[1]!.eventId) throw new Error("redactor broke");
        if (event.eventId === events[4]!.eventId) return Promise.reject(new Error("hash failed"));
        return event;
      },
    });
    for (const event of events) processor.enqueue(event);
    await processor.flush();
    expect(backend.acceptedIds()).toEqual([0, 2, 3, 5].map((i) => events[i]!.eventId));
    expect(processor.stats()).toMatchObject({
      sent: 4,
      dropped: { prepareFailed: 2, beforeSend: 0 },
    });
    expect(drops).toEqual(["prepareFailed:1", "prepareFailed:1"]);
    expect(recorder.errors.map((e) => e.info)).toEqual([
      { batchId: "", events: 1, willRetry: false, reason: "prepare-failed" },
      { batchId: "", events: 1, willRetry: false, reason: "prepare-failed" },
    ]);
    expect(recorder.errors.map((e) => e.error.message)).toEqual([
      expect.stringContaining("redactor broke"),
      expect.stringContaining("hash failed"),
    ]);
    expectBalanced(processor.stats());
  });

  it("fails closed when prepare returns something that is not an Event", async () => {
    const recorder = recordErrors();
    const backend = createTestBackend();
    const processor = processorFor(backend, {
      onError: recorder.onError,
      prepare: () => ({ eventId: "not a message" }) as unknown as Event,
    });
    processor.enqueue(testEvent(1));
    await processor.flush();
    expect(backend.acceptedIds()).toEqual([]);
    expect(recorder.errors.map((e) => e.info.reason)).toEqual(["prepare-failed"]);
    expect(processor.stats().dropped.prepareFailed).toBe(1);
    expectBalanced(processor.stats());
  });
});

describe("flush and shutdown", () => {
  it("flush resolves once earlier events are delivered or finally failed, never rejects", async () => {
    const backend = createTestBackend({
      behaviour: ({ batch }) => {
        if (batch.events.some((e) => e.eventId.endsWith("7"))) {
          throw new ConnectError("bad", Code.InvalidArgument);
        }
      },
    });
    const processor = processorFor(backend, {
      maxBatchSize: 5,
      maxConcurrentExports: 2,
    });
    for (const event of testEvents(20)) {
      processor.enqueue(event);
    }
    const result = await processor.flush();
    expect(result).toEqual({ completed: true, pending: 0 });
    expect(processor.stats()).toMatchObject({ sent: 10, failed: 10 });
    expect(await processor.flush()).toEqual({ completed: true, pending: 0 });
  });

  it("flush with a timeout reports what is still pending when the backend hangs", async () => {
    const gate = createGate();
    const backend = createTestBackend({ behaviour: () => gate.wait });
    const processor = processorFor(backend, {});
    for (const event of testEvents(150)) {
      processor.enqueue(event);
    }
    expect(await processor.flush({ timeoutMs: 30 })).toEqual({ completed: false, pending: 150 });
    expectBalanced(processor.stats());
    gate.open();
    expect(await processor.flush()).toEqual({ completed: true, pending: 0 });
    expect(backend.acceptedIds()).toHaveLength(150);
  });

  it("shutdown flushes, refuses later events (counted), closes the exporter, and is idempotent", async () => {
    const backend = createTestBackend();
    const exporter = createConnectExporter(backend.transport);
    let exporterShutdowns = 0;
    const processor = processorOf({
      exporter: {
        export: (batch, options) => exporter.export(batch, options),
        async shutdown() {
          exporterShutdowns++;
        },
      },
    });
    for (const event of testEvents(120)) {
      processor.enqueue(event);
    }
    const first = processor.shutdown();
    const second = processor.shutdown({ timeoutMs: 1 });
    expect(second).toBe(first);
    processor.enqueue(testEvent(500));
    expect(await first).toEqual({ completed: true, pending: 0 });
    processor.enqueue(testEvent(501));
    expect(backend.acceptedIds()).toHaveLength(120);
    expect(exporterShutdowns).toBe(1);
    expect(processor.stats()).toMatchObject({
      emitted: 122,
      sent: 120,
      dropped: { shutdown: 2 },
      queued: 0,
      inFlight: 0,
    });
    expectBalanced(processor.stats());
  });

  it("shutdown never hangs: a backend that never answers is abandoned at the deadline", async () => {
    const recorder = recordErrors();
    const hang = createGate();
    const processor = processorOf({
      // An exporter that ignores its abort signal: the worst case.
      exporter: { export: () => hang.wait, shutdown: () => hang.wait },
      maxBatchSize: 50,
      onError: recorder.onError,
    });
    for (const event of testEvents(120)) {
      processor.enqueue(event);
    }
    expect(await processor.shutdown({ timeoutMs: 50 })).toEqual({
      completed: false,
      pending: 120,
    });
    expect(processor.stats()).toMatchObject({ failed: 120, queued: 0, inFlight: 0, sent: 0 });
    expect(recorder.errors.every((e) => e.info.reason === "shutdown")).toBe(true);
    expect(recorder.errors.reduce((n, e) => n + e.info.events, 0)).toBe(120);
    expectBalanced(processor.stats());
  });

  it("shutdown's deadline counts events stuck in an async prepare as failed at once, never twice", async () => {
    const release = createGate();
    const backend = createTestBackend();
    const processor = processorFor(backend, {
      maxBatchSize: 50,
      flushIntervalMs: NEVER,
      prepare: async (event) => {
        await release.wait;
        return event;
      },
    });
    for (const event of testEvents(80)) {
      processor.enqueue(event);
    }
    expect(await processor.shutdown({ timeoutMs: 50 })).toEqual({ completed: false, pending: 80 });
    expect(processor.stats()).toMatchObject({ failed: 80, queued: 0, inFlight: 0, sent: 0 });
    expectBalanced(processor.stats());
    // prepare returning late changes nothing: its events were already given up.
    release.open();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(processor.stats()).toMatchObject({ failed: 80, queued: 0, inFlight: 0, sent: 0 });
    expect(backend.calls).toBe(0);
    expectBalanced(processor.stats());
  });

  it("keepalive flush sends everything now, batches ≤ 60 KiB with the context key, all at once", async () => {
    const keepaliveFlags: boolean[] = [];
    const expectedBatches = 4;
    let arrived = 0;
    const allArrived = createGate();
    const backend = createTestBackend({
      interceptors: [
        (next) => async (request) => {
          keepaliveFlags.push(request.contextValues.get(keepaliveContextKey));
          return next(request);
        },
      ],
      // Each call waits for all the others: only concurrent sending gets past this.
      behaviour: async () => {
        arrived++;
        if (arrived === expectedBatches) {
          allArrived.open();
        }
        await allArrived.wait;
      },
    });
    const processor = processorFor(backend, {
      flushIntervalMs: NEVER,
    });
    // ~5 KiB each: 40 events fit 256 KiB but need 4 requests of at most 60 KiB.
    const events = testEvents(40, 0, "k".repeat(5 * 1024));
    for (const event of events) {
      processor.enqueue(event);
    }
    expect(await processor.flush({ keepalive: true })).toEqual({ completed: true, pending: 0 });
    expect(backend.accepted).toHaveLength(expectedBatches);
    expect(backend.maxConcurrent).toBe(expectedBatches);
    expect(keepaliveFlags).toEqual(Array(expectedBatches).fill(true));
    for (const bytes of backend.acceptedBytes) {
      expect(bytes).toBeLessThanOrEqual(KEEPALIVE_MAX_BATCH_BYTES);
    }
    expect(new Set(backend.acceptedIds())).toEqual(new Set(events.map((e) => e.eventId)));
  });

  it("a throwing onError does not disturb delivery", async () => {
    const backend = createTestBackend({
      behaviour: ({ n }) => {
        if (n === 1) {
          throw new ConnectError("blink", Code.Unavailable);
        }
      },
    });
    const processor = processorFor(backend, {
      sleep: recordSleeps().sleep,
      onError() {
        throw new Error("hook bug");
      },
    });
    processor.enqueue(testEvent(1));
    expect(await processor.flush()).toEqual({ completed: true, pending: 0 });
    expect(processor.stats().sent).toBe(1);
  });
});
