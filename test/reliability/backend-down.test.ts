// The backend is unreachable for 10 s while the agent keeps emitting, then comes back.
//
// Everything here runs with PROCESSOR_DEFAULTS (queue bound 10 000, batches of 100, 1 s
// interval, one export at a time, 10 attempts with 200 ms → 5 s full-jitter backoff). The one
// thing fixed is the jitter's dice (`random`), because with full jitter the retry budget of a
// batch is itself random: whether it outlasts a 10 s outage depends on the draws. The first
// test uses the median draw (0.5); the second uses a low draw that happens in about one
// outage in ten (see the README) and shows what the defaults then lose.
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { createNodeTransport } from "@chaukas/transport-node";
import { Code } from "@connectrpc/connect";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createBatchProcessor,
  createConnectExporter,
  type EventProcessor,
  PROCESSOR_DEFAULTS,
} from "../../packages/client/src/index.js";
import { testEvent } from "../../packages/client/test/pipeline-fixtures.js";
import { allBatchCalls, checkedEveryStep, expectBalanced, recordErrors, sleep } from "./support.js";

const OUTAGE_MS = 10_000;
const EVENTS_BEFORE = 200;
/** Emitted during the outage: 50 every 500 ms, far below the default queue bound. */
const EVENTS_PER_TICK = 50;
const TICK_MS = 500;

let server: DevServer;

beforeEach(async () => {
  server = await startDevServer();
});
afterEach(async () => {
  await server.close();
});

/**
 * The default pipeline over gRPC, with the jitter's random draws fixed to `draw`; its stats are
 * checked balanced after every step.
 */
function defaultPipeline(draw: number, onError: ReturnType<typeof recordErrors>["onError"]) {
  return checkedEveryStep(createBatchProcessor, {
    exporter: createConnectExporter(createNodeTransport({ baseUrl: server.url, protocol: "grpc" })),
    random: () => draw,
    onError,
  });
}

/**
 * Delivers a first wave, takes the server down for `OUTAGE_MS` while emitting a steady
 * stream, brings it back and flushes. Returns every id emitted.
 */
async function runOutage(processor: EventProcessor): Promise<string[]> {
  const ids: string[] = [];
  let n = 0;
  const emit = (count: number) => {
    for (let i = 0; i < count; i++) {
      const event = testEvent(n++, "during the outage");
      ids.push(event.eventId);
      processor.enqueue(event);
    }
  };
  emit(EVENTS_BEFORE);
  expect(await processor.flush()).toEqual({ completed: true, pending: 0 });
  expect(server.store.size).toBe(EVENTS_BEFORE);

  server.faults.down = true;
  await server.faults.settled();
  for (let elapsed = 0; elapsed < OUTAGE_MS; elapsed += TICK_MS) {
    emit(EVENTS_PER_TICK);
    const stats = processor.stats();
    expect(stats.queued + stats.inFlight).toBeLessThanOrEqual(PROCESSOR_DEFAULTS.maxQueueSize);
    await sleep(TICK_MS);
  }
  server.faults.down = false;
  await server.faults.settled();
  await processor.flush({ timeoutMs: 60_000 });
  return ids;
}

describe("backend down for 10 s, then up (default options)", () => {
  it("loses nothing and duplicates nothing with the median jitter draw", async () => {
    const recorder = recordErrors();
    const processor = defaultPipeline(0.5, recorder.onError);
    const ids = await runOutage(processor);

    expect(ids).toHaveLength(EVENTS_BEFORE + (OUTAGE_MS / TICK_MS) * EVENTS_PER_TICK);
    const stored = new Set(server.store.events().map((e) => e.eventId));
    expect(ids.filter((id) => !stored.has(id))).toEqual([]); // 0 lost
    expect(server.store.size).toBe(ids.length);
    expect(server.store.duplicates).toBe(0); // 0 duplicated
    // Refused calls never reached the handler: the server saw each event exactly once.
    expect(server.store.received).toBe(ids.length);
    const stats = processor.stats();
    expect(stats).toMatchObject({
      emitted: ids.length,
      sent: ids.length,
      failed: 0,
      dropped: { queueFull: 0, shutdown: 0, beforeSend: 0, tooLarge: 0 },
      queued: 0,
      inFlight: 0,
    });
    expectBalanced(stats);
    // Each refused attempt was reported as retryable, with a code the retry policy retries.
    const refused = recorder.errors.filter((e) => e.info.willRetry);
    expect(refused.length).toBe(stats.retried);
    expect(refused.length).toBeGreaterThan(0);
    expect(recorder.errors.filter((e) => !e.info.willRetry)).toEqual([]);
    for (const { error } of refused) {
      expect([Code.Unavailable, Code.Unknown, Code.DeadlineExceeded]).toContain(error.code);
    }
    // Only answered calls are counted by the server: the ok ones, one per delivered batch.
    expect(allBatchCalls(server)).toBe(stats.exportCalls - stats.retried);
    await processor.shutdown();
  }, 60_000);

  // Full-jitter delays may all be short by chance (here every draw is 0.1): a fixed number
  // of attempts would run out seconds into the outage. The default budget is time
  // (`maxElapsedMs`, 60 s), so even these draws keep the batch alive through it.
  it("loses nothing either when every jitter draw is low (the budget is time, not attempts)", async () => {
    const recorder = recordErrors();
    const processor = defaultPipeline(0.1, recorder.onError);
    const ids = await runOutage(processor);

    const stats = processor.stats();
    expectBalanced(stats);
    // Whatever happens, nothing is unaccounted for...
    expect(stats.sent + stats.failed).toBe(ids.length);
    expect(server.store.size).toBe(stats.sent);
    // ...but nothing should have been given up on during a 10 s outage either.
    const gaveUp = recorder.errors.filter((e) => e.info.reason === "retries-exhausted");
    expect(gaveUp.map((e) => e.info.events)).toEqual([]);
    expect(stats.failed).toBe(0);
    await processor.shutdown();
  }, 60_000);
});
