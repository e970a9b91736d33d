// Every third IngestEventBatch call fails with UNAVAILABLE while 5 000 events go through the
// real client (builders → batch processor → gRPC → devserver), with default options.
//
// Which calls can produce duplicates: only those whose outcome the client cannot know. A
// server that refuses a call before storing anything (the usual UNAVAILABLE: overloaded,
// draining) causes no duplicate at all. A server that stored the batch and then failed to
// answer (a lost reply) causes exactly one batch's worth per such call: the retry carries the
// same event ids, and the backend's event_id check keeps one copy.
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { Code } from "@connectrpc/connect";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { batchCalls, clientFor, expectBalanced, recordErrors, storedIds } from "./support.js";

const EVENTS = 5000;
const K = 3;
/** Events per batch, stated so the call counts below do not move with the SDK's default. */
const BATCH_SIZE = 100;
/** Batches the client cuts: 5 000 small events in batches of 100. */
const BATCHES = EVENTS / BATCH_SIZE;
/**
 * Calls made when every K-th fails and each failure is retried once more: the smallest T with
 * T - floor(T / K) = BATCHES successes and call T itself not failing.
 */
function callsNeeded(batches: number, k: number): number {
  let t = batches;
  while (t - Math.floor(t / k) < batches || t % k === 0) t++;
  return t;
}
const CALLS = callsNeeded(BATCHES, K);
const FAILED_CALLS = CALLS - BATCHES;

let server: DevServer;
beforeEach(async () => {
  server = await startDevServer();
});
afterEach(async () => {
  await server.close();
});

/**
 * Emits 5 000 events through the builders of one session: SESSION_START, 4 998 state updates
 * (whose ids it returns) and SESSION_END.
 */
function emitSession(chaukas: ReturnType<typeof clientFor>): {
  sessionId: string;
  ids: string[];
} {
  const session = chaukas.startSession({ agentId: "planner", agentName: "Planner" });
  const ids: string[] = [];
  for (let i = 0; i < EVENTS - 2; i++) ids.push(session.stateUpdate({ step: i }));
  session.end();
  return { sessionId: session.id, ids };
}

describe(`every ${K}rd ingest call UNAVAILABLE for ${EVENTS} events (default options)`, () => {
  it("failing before storing: 0 lost, 0 duplicates, exactly one retry per failed call", async () => {
    server.faults.failEvery = { code: Code.Unavailable, k: K };
    const recorder = recordErrors();
    const chaukas = clientFor(server, { maxBatchSize: BATCH_SIZE, onError: recorder.onError });
    const { sessionId, ids } = emitSession(chaukas);
    expect(await chaukas.shutdown({ timeoutMs: 60_000 })).toEqual({ completed: true, pending: 0 });

    const stored = storedIds(server, sessionId);
    expect(stored).toHaveLength(EVENTS); // 0 lost
    expect(new Set(stored).size).toBe(EVENTS);
    const storedSet = new Set(stored);
    expect(ids.filter((id) => !storedSet.has(id))).toEqual([]);
    expect(server.store.duplicates).toBe(0); // 0 duplicated
    expect(server.store.received).toBe(EVENTS); // the refused calls never reached the handler
    expect(batchCalls(server, "ok")).toBe(BATCHES);
    expect(batchCalls(server, "unavailable")).toBe(FAILED_CALLS);
    expect(server.faults.injectedFailures).toBe(FAILED_CALLS);

    const stats = chaukas.stats();
    expect(stats).toMatchObject({
      emitted: EVENTS,
      sent: EVENTS,
      failed: 0,
      retried: FAILED_CALLS,
      exportCalls: CALLS,
      queued: 0,
      inFlight: 0,
    });
    expectBalanced(stats);
    expect(recorder.errors.map((e) => [e.error.code, e.info.reason, e.info.willRetry])).toEqual(
      Array(FAILED_CALLS).fill([Code.Unavailable, "rejected", true]),
    );
  }, 60_000);

  it("failing after storing (lost replies): 0 lost, duplicates = 100 per lost reply, kept once by event_id", async () => {
    server.faults.failEvery = { code: Code.Unavailable, k: K, afterStore: true };
    const chaukas = clientFor(server, { maxBatchSize: BATCH_SIZE });
    const { sessionId } = emitSession(chaukas);
    expect(await chaukas.shutdown({ timeoutMs: 60_000 })).toEqual({ completed: true, pending: 0 });

    const stored = storedIds(server, sessionId);
    expect(stored).toHaveLength(EVENTS); // 0 lost, and still one copy of each
    expect(new Set(stored).size).toBe(EVENTS);
    // Each lost reply's batch arrived twice; the second copy was recognised by its event_id.
    expect(server.store.duplicates).toBe(FAILED_CALLS * BATCH_SIZE);
    expect(server.store.received).toBe(EVENTS + FAILED_CALLS * BATCH_SIZE);
    expect(batchCalls(server, "ok")).toBe(BATCHES);
    expect(batchCalls(server, "unavailable")).toBe(FAILED_CALLS);
    expect(chaukas.stats()).toMatchObject({ sent: EVENTS, failed: 0, retried: FAILED_CALLS });
  }, 60_000);
});
