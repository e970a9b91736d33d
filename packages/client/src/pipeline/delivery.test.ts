// One batch's delivery alone, with a fake exporter: retries, failures, size splits and abort.
import type { EventBatch } from "@chaukas/spec/common/v1";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { testEvents } from "../../test/pipeline-fixtures.js";
import { cutBatch, encodeEvents } from "../wire/encoded-batch.js";
import type { ExportErrorInfo } from "../wire/export-error.js";
import type { EventExporter } from "../wire/exporter.js";
import { BATCH_TOO_LARGE_REASON, ERROR_REASON_METADATA_KEY } from "./batch-too-large.js";
import { BatchDelivery, type DeliveryContext } from "./delivery.js";
import { PipelineStats } from "./pipeline-stats.js";
import { PROCESSOR_DEFAULTS } from "./processor-defaults.js";

function batchOf(count: number): EventBatch {
  const events = testEvents(count);
  const bytes = encodeEvents(events);
  return cutBatch(
    events.map((event, i) => ({ event, bytes: bytes[i]!, seq: i })),
    count,
    Number.POSITIVE_INFINITY,
  );
}

/** A delivery of `batch` to `exporter`, its events counted in flight as the processor does. */
function deliver(batch: EventBatch, exporter: EventExporter, retry = {}) {
  const stats = new PipelineStats();
  stats.exportStarted(batch.events.length);
  const reports: ExportErrorInfo[] = [];
  const drops: string[] = [];
  const sleeps: number[] = [];
  const context: DeliveryContext = {
    exporter,
    timeoutMs: 1000,
    retry: { ...PROCESSOR_DEFAULTS.retry, ...retry },
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    stats,
    report: (_error, info) => reports.push(info),
    drop: (reason, count) => {
      stats.droppedInFlight(reason, count);
      drops.push(`${reason}:${count}`);
    },
  };
  const delivery = new BatchDelivery(context, batch, false);
  return { delivery, stats, reports, drops, sleeps };
}

const tooLarge = () =>
  new ConnectError("batch too large", Code.ResourceExhausted, {
    [ERROR_REASON_METADATA_KEY]: BATCH_TOO_LARGE_REASON,
  });

describe("BatchDelivery", () => {
  it("retries a retryable failure with the same batch until it is accepted, and settles it sent", async () => {
    const batch = batchOf(3);
    const attempts: string[] = [];
    const { delivery, stats, reports, sleeps } = deliver(batch, {
      async export(b) {
        attempts.push(b.batchId);
        if (attempts.length < 3) throw new ConnectError("down", Code.Unavailable);
      },
    });
    expect(await delivery.run()).toEqual({ keepStored: false });
    expect(attempts).toEqual([batch.batchId, batch.batchId, batch.batchId]);
    // Full jitter with random() = 0.5: half of 200 ms, then half of 400 ms.
    expect(sleeps).toEqual([100, 200]);
    expect(reports.map((r) => [r.reason, r.willRetry])).toEqual([
      ["rejected", true],
      ["rejected", true],
    ]);
    expect(stats.snapshot(0)).toMatchObject({
      sent: 3,
      failed: 0,
      inFlight: 0,
      exportCalls: 3,
      retried: 2,
    });
  });

  it("counts the events failed, without retrying, for a code that would fail again", async () => {
    const { delivery, stats, reports } = deliver(batchOf(2), {
      export: () => Promise.reject(new ConnectError("no", Code.PermissionDenied)),
    });
    await delivery.run();
    expect(reports).toEqual([
      expect.objectContaining({ reason: "rejected", willRetry: false, events: 2 }),
    ]);
    expect(stats.snapshot(0)).toMatchObject({ sent: 0, failed: 2, inFlight: 0, exportCalls: 1 });
  });

  it("stops at maxAttempts with retries-exhausted", async () => {
    const { delivery, stats, reports } = deliver(
      batchOf(1),
      { export: () => Promise.reject(new ConnectError("down", Code.Unavailable)) },
      { maxAttempts: 2 },
    );
    await delivery.run();
    expect(reports.map((r) => r.reason)).toEqual(["rejected", "retries-exhausted"]);
    expect(stats.snapshot(0)).toMatchObject({ failed: 1, inFlight: 0, exportCalls: 2 });
  });

  it("splits a batch refused for its size into halves with new ids until each fits; drops a lone event that never fits", async () => {
    const batch = batchOf(5);
    const tooBig = batch.events[4]!.eventId;
    const accepted: string[][] = [];
    const { delivery, stats, drops, reports } = deliver(batch, {
      async export(b) {
        if (b.events.length > 2 || b.events.some((e) => e.eventId === tooBig)) throw tooLarge();
        accepted.push(b.events.map((e) => e.eventId));
      },
    });
    await delivery.run();
    const ids = batch.events.map((e) => e.eventId);
    // 5 → 3 + 2 → (2 + 1) + (1 + 1 dropped)
    expect(accepted).toEqual([ids.slice(0, 2), ids.slice(2, 3), ids.slice(3, 4)]);
    expect(drops).toEqual(["tooLarge:1"]);
    expect(reports.at(-1)).toMatchObject({ reason: "too-large", willRetry: false, events: 1 });
    expect(stats.snapshot(0)).toMatchObject({ sent: 4, failed: 0, inFlight: 0 });
  });

  it("abort() ends the backoff and every retry: the events count as failed with reason shutdown", async () => {
    const batch = batchOf(2);
    const stats = new PipelineStats();
    stats.exportStarted(2);
    const sleeps: number[] = [];
    const reports: ExportErrorInfo[] = [];
    const delivery = new BatchDelivery(
      {
        exporter: { export: () => Promise.reject(new ConnectError("down", Code.Unavailable)) },
        timeoutMs: 1000,
        retry: PROCESSOR_DEFAULTS.retry,
        random: () => 0.99,
        // A real wait, ended only by the abort.
        sleep: (ms, signal) => {
          sleeps.push(ms);
          return new Promise((resolve) => signal.addEventListener("abort", () => resolve()));
        },
        stats,
        report: (_error, info) => reports.push(info),
        drop: () => {},
      },
      batch,
      false,
    );
    const running = delivery.run();
    await new Promise((resolve) => setTimeout(resolve, 10));
    // Backing off: the one attempt failed and the wait before the next has begun.
    expect(sleeps).toHaveLength(1);
    delivery.abort(new ConnectError("shutdown deadline passed", Code.Aborted));
    await running;
    expect(reports.map((r) => r.reason)).toEqual(["rejected", "shutdown"]);
    expect(stats.snapshot(0)).toMatchObject({ failed: 2, inFlight: 0, exportCalls: 1 });
  });
});
