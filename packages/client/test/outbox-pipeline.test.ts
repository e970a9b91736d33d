import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { createBatchProcessor, createConnectExporter } from "../src/index.js";
import { createOutbox, fromStoredBatch, type OutboxStore, toStoredBatch } from "../src/outbox.js";
import { lossReportEvent } from "../src/pipeline/loss-report.js";
import { newBatch } from "../src/wire/encoded-batch.js";
import {
  createGate,
  createMemoryOutbox,
  createTestBackend,
  expectBalanced,
  recordErrors,
  type TestBackend,
  testEvents,
} from "./pipeline-fixtures.js";

// The processor with an outbox: what is stored when, what is kept, what a new processor
// delivers first. The outbox here keeps records in memory (shared between "processes"), so
// each step can be inspected; the file and IndexedDB outboxes are tested in their packages.

function processorFor(backend: TestBackend, store: OutboxStore, extra = {}) {
  return createBatchProcessor({
    exporter: createConnectExporter(backend.transport),
    outbox: createOutbox(store),
    flushIntervalMs: 5,
    maxBatchSize: 10,
    sleep: async () => {},
    ...extra,
  });
}

describe("batch processor with an outbox", () => {
  it("stores each batch before its first attempt and removes it once acknowledged", async () => {
    const outbox = createMemoryOutbox();
    const seenStored: boolean[] = [];
    const backend = createTestBackend({
      behaviour: ({ batch }) => {
        seenStored.push(outbox.records.has(batch.batchId));
      },
    });
    const processor = processorFor(backend, outbox);
    for (const event of testEvents(25)) processor.enqueue(event);
    expect(await processor.flush()).toEqual({ completed: true, pending: 0 });
    expect(seenStored).toEqual([true, true, true]);
    expect(outbox.puts).toHaveLength(3);
    expect(outbox.records.size).toBe(0);
    expectBalanced(processor.stats());
  });

  it("stores batches during an outage without waiting for a slot, keeps them when retries run out, and a new processor delivers them first with the same ids", async () => {
    const outbox = createMemoryOutbox();
    const down = createTestBackend({
      behaviour: () => {
        throw new ConnectError("down", Code.Unavailable);
      },
    });
    const first = processorFor(down, outbox, { retry: { maxAttempts: 2 } });
    const events = testEvents(30);
    for (const event of events) first.enqueue(event);
    // One export slot, but all three batches are on "disk" at once.
    await expect.poll(() => outbox.records.size).toBe(3);
    await first.flush();
    expect(first.stats()).toMatchObject({ failed: 30, sent: 0 });
    expect(outbox.records.size).toBe(3);
    const storedIds = [...outbox.records.keys()].sort();
    await first.shutdown();

    const up = createTestBackend();
    const second = processorFor(up, outbox);
    const later = testEvents(5, 100);
    for (const event of later) second.enqueue(event);
    expect(await second.flush()).toEqual({ completed: true, pending: 0 });
    // The three stored batches first, as they were (batch ids and event ids), then the new one.
    expect(up.accepted.slice(0, 3).map((batch) => batch.batchId)).toEqual(storedIds);
    expect(up.acceptedIds()).toEqual([...events, ...later].map((event) => event.eventId));
    expect(second.stats()).toMatchObject({ emitted: 5, recovered: 30, sent: 35 });
    expect(outbox.records.size).toBe(0);
    expectBalanced(second.stats());
  });

  it("during an outage longer than memory, spills stored batches instead of dropping, and sends them in order", async () => {
    const outbox = createMemoryOutbox();
    const gate = createGate();
    const backend = createTestBackend({ behaviour: () => gate.wait });
    const processor = processorFor(backend, outbox, { maxQueueSize: 30 });
    const events = testEvents(200);
    for (let i = 0; i < events.length; i += 10) {
      for (const event of events.slice(i, i + 10)) processor.enqueue(event);
      await new Promise((resolve) => setTimeout(resolve, 10));
      const stats = processor.stats();
      expect(stats.dropped.queueFull).toBe(0);
    }
    expect(outbox.records.size).toBe(20);
    gate.open();
    expect(await processor.flush()).toEqual({ completed: true, pending: 0 });
    expect(backend.acceptedIds()).toEqual(events.map((event) => event.eventId));
    expect(processor.stats()).toMatchObject({ sent: 200, failed: 0 });
    expect(outbox.records.size).toBe(0);
    expectBalanced(processor.stats());
  });

  it("flush() waits for a spilled batch while it is read back from the outbox", async () => {
    const outbox = createMemoryOutbox();
    const backendGate = createGate();
    const backend = createTestBackend({ behaviour: () => backendGate.wait });
    const processor = processorFor(backend, outbox, { maxQueueSize: 30, maxConcurrentExports: 2 });
    const readGate = createGate();
    let reads = 0;
    const read = outbox.read.bind(outbox);
    outbox.read = async (batchId) => {
      reads++;
      await readGate.wait;
      return read(batchId);
    };
    // Two batches in flight and one stored fill memory; the 31st event spills the stored one,
    // and the last six go out after it from memory, on the other slot.
    const events = testEvents(36);
    for (const chunk of [
      [0, 10],
      [10, 20],
      [20, 30],
      [30, 31],
      [31, 36],
    ]) {
      for (const event of events.slice(chunk[0], chunk[1])) processor.enqueue(event);
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    expect(processor.stats().dropped.queueFull).toBe(0);
    backendGate.open();
    let flushed: unknown;
    const flush = processor.flush().then((result) => {
      flushed = result;
    });
    await expect.poll(() => reads).toBe(1);
    await expect.poll(() => processor.stats().sent).toBe(26);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(flushed).toBeUndefined();
    readGate.open();
    await flush;
    expect(flushed).toEqual({ completed: true, pending: 0 });
    expect(backend.acceptedIds().sort()).toEqual(events.map((event) => event.eventId).sort());
    expectBalanced(processor.stats());
  });

  it("removes a batch the backend refuses for good", async () => {
    const outbox = createMemoryOutbox();
    const refusing = createTestBackend({
      behaviour: () => {
        throw new ConnectError("no", Code.InvalidArgument);
      },
    });
    const processor = processorFor(refusing, outbox);
    for (const event of testEvents(5)) processor.enqueue(event);
    await processor.flush();
    expect(processor.stats()).toMatchObject({ failed: 5 });
    expect(outbox.records.size).toBe(0);
  });

  it("when the outbox is full, drops its oldest waiting batch, counts it and reports the loss", async () => {
    const gate = createGate();
    const backend = createTestBackend({ behaviour: () => gate.wait });
    // Room for three and a half batches of ten events.
    const batchBytes = toStoredBatch(newBatch(testEvents(10))).request.length;
    const outbox = createMemoryOutbox(3.5 * batchBytes);
    const reports: number[] = [];
    const processor = processorFor(backend, outbox, {
      lossReport: (record: Parameters<typeof lossReportEvent>[0]) => {
        reports.push(record.events);
        return lossReportEvent(record);
      },
    });
    for (const event of testEvents(60)) processor.enqueue(event);
    await expect.poll(() => processor.stats().dropped.outboxFull).toBeGreaterThan(0);
    gate.open();
    await processor.flush();
    const stats = processor.stats();
    expect(stats.dropped.outboxFull % 10).toBe(0);
    expect(stats.sent + stats.dropped.outboxFull).toBe(60 + stats.lossReports);
    await expect.poll(() => reports.reduce((a, b) => a + b, 0)).toBe(stats.dropped.outboxFull);
    await processor.flush();
    expectBalanced(processor.stats());
  });

  it("sends a batch the outbox could not store, and says so", async () => {
    const outbox = createMemoryOutbox();
    outbox.failNextPut = true;
    const backend = createTestBackend();
    const recorder = recordErrors();
    const processor = processorFor(backend, outbox, { onError: recorder.onError });
    for (const event of testEvents(10)) processor.enqueue(event);
    expect(await processor.flush()).toEqual({ completed: true, pending: 0 });
    expect(backend.acceptedIds()).toHaveLength(10);
    expect(recorder.errors.map((e) => e.info)).toMatchObject([
      { reason: "outbox-failed", willRetry: true, events: 10 },
    ]);
  });

  it("skips and counts a claimed record that is not a batch", async () => {
    const outbox = createMemoryOutbox();
    outbox.records.set("garbage", new Uint8Array([1, 2, 3]));
    const backend = createTestBackend();
    const processor = processorFor(backend, outbox);
    expect(await processor.flush()).toEqual({ completed: true, pending: 0 });
    expect(processor.stats()).toMatchObject({ corruptRecords: 1, recovered: 0 });
    expect(outbox.records.size).toBe(0);
  });

  it("stored records are the spec's IngestEventBatchRequest of the batch", async () => {
    const outbox = createMemoryOutbox();
    const gate = createGate();
    const backend = createTestBackend({ behaviour: () => gate.wait });
    const processor = processorFor(backend, outbox);
    const events = testEvents(3);
    for (const event of events) processor.enqueue(event);
    await expect.poll(() => outbox.records.size).toBe(1);
    const [batchId, request] = [...outbox.records][0]!;
    const batch = fromStoredBatch({ batchId, request });
    expect(batch.events.map((event) => event.eventId)).toEqual(events.map((e) => e.eventId));
    // Its encodings are what would be sent: an edit in place throws instead of being lost.
    expect(() => batch.events[0]!.tags.push("late")).toThrow(TypeError);
    gate.open();
    await processor.flush();
  });
});
