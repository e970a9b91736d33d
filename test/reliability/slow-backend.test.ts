// The backend answers each call only after 2.5 flush intervals while the agent emits far
// faster than batches can leave. The queue must stay within its bound, every event over it
// must be dropped and counted (the newest goes), and once the backend is fast again the
// client must drain and carry on without losing anything more.
//
// Shrunk from the defaults so the test takes seconds: a 100 ms interval (the backend then
// takes 250 ms) and a 500-event bound. The mechanism is the same as with 1 s and 10 000.
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clientFor, expectBalanced, recordErrors, sleep, storedIds } from "./support.js";

const FLUSH_INTERVAL_MS = 100;
const LATENCY_MS = 250;
const MAX_QUEUE = 500;
const TICKS = 80;
const PER_TICK = 50;
const TICK_MS = 25;
const RECOVERY_EVENTS = 300;

let server: DevServer;
beforeEach(async () => {
  server = await startDevServer({ faults: { latencyMs: LATENCY_MS } });
});
afterEach(async () => {
  await server.close();
});

describe("slow backend under a sustained emit rate", () => {
  it("keeps the queue within its bound, counts every drop exactly, and recovers", async () => {
    expect(LATENCY_MS).toBeGreaterThanOrEqual(2 * FLUSH_INTERVAL_MS);
    const recorder = recordErrors();
    let onDropCount = 0;
    const chaukas = clientFor(server, {
      flushIntervalMs: FLUSH_INTERVAL_MS,
      maxQueueSize: MAX_QUEUE,
      onError: recorder.onError,
      onDrop: (reason, count) => {
        expect(reason).toBe("queueFull");
        onDropCount += count;
      },
      // Exact counts of the application's events: loss reports are proven in their own tests.
      reportLoss: false,
    });
    const session = chaukas.startSession({ agentId: "planner" });
    const kept: string[] = [];
    const dropped: string[] = [];
    /** Emits one event and files its id by what the client did with it. */
    const emitOne = (step: number) => {
      const before = chaukas.stats().dropped.queueFull;
      const id = session.stateUpdate({ step });
      (chaukas.stats().dropped.queueFull > before ? dropped : kept).push(id);
    };

    let step = 0;
    let peak = 0;
    for (let tick = 0; tick < TICKS; tick++) {
      for (let i = 0; i < PER_TICK; i++) emitOne(step++);
      const stats = chaukas.stats();
      peak = Math.max(peak, stats.queued + stats.inFlight);
      expect(stats.queued + stats.inFlight).toBeLessThanOrEqual(MAX_QUEUE);
      await sleep(TICK_MS);
    }
    // The backend could not keep up: the bound was reached and events were dropped.
    expect(peak).toBe(MAX_QUEUE);
    expect(dropped.length).toBeGreaterThan(0);

    // Recovery: the backend is fast again; what was kept drains, new events all arrive.
    server.faults.latencyMs = 0;
    expect(await chaukas.flush({ timeoutMs: 30_000 })).toEqual({ completed: true, pending: 0 });
    for (let i = 0; i < RECOVERY_EVENTS; i++) emitOne(step++);
    expect(await chaukas.flush({ timeoutMs: 30_000 })).toEqual({ completed: true, pending: 0 });

    const emitted = 1 + TICKS * PER_TICK + RECOVERY_EVENTS; // SESSION_START first
    const stats = chaukas.stats();
    expect(stats.emitted).toBe(emitted);
    expect(stats.dropped.queueFull).toBe(dropped.length);
    expect(onDropCount).toBe(dropped.length);
    expect(stats.failed).toBe(0);
    expect(stats.sent + stats.dropped.queueFull + stats.failed).toBe(emitted);
    expectBalanced(stats);
    expect(recorder.errors).toEqual([]);

    // Exactly the kept events arrived, each once; none of the dropped ones did.
    const stored = storedIds(server, session.id);
    expect(stored).toHaveLength(stats.sent);
    expect(new Set(stored).size).toBe(stored.length);
    const storedSet = new Set(stored);
    expect(kept.filter((id) => !storedSet.has(id))).toEqual([]);
    expect(dropped.filter((id) => storedSet.has(id))).toEqual([]);
    // The recovery events were all kept.
    expect(dropped.length).toBe(emitted - stored.length);
    expect(kept.slice(-RECOVERY_EVENTS).every((id) => storedSet.has(id))).toBe(true);
    await chaukas.shutdown();
  });
});
