// The backend accepts at most 16 KiB per IngestEventBatch request (RESOURCE_EXHAUSTED with
// the batch-too-large reason above it), far less than the client's default 256 KiB batches.
// The client must halve refused batches until each half fits, and drop (and report) the one
// event that can never fit, delivering all the others.
import { clone, create, toBinary } from "@bufbuild/protobuf";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { EventSchema, EventType, MessageContentSchema } from "@chaukas/spec/common/v1";
import { Code } from "@connectrpc/connect";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { batchCalls, clientFor, expectBalanced, recordErrors, storedIds } from "./support.js";

const SERVER_LIMIT = 16 * 1024;
const EVENTS = 300; // SESSION_START + 299 SYSTEM events: three default batches of 100
const BIG_INDEX = 150; // the 151st event, in the second batch
const SMALL_TEXT = "s".repeat(900);
const BIG_TEXT = "B".repeat(20 * 1024);
/** More than the envelope of a batch request (batch id, timestamp, aggregates) takes. */
const ENVELOPE_BYTES = 128;

let server: DevServer;
beforeEach(async () => {
  server = await startDevServer({ faults: { maxBatchBytes: SERVER_LIMIT } });
});
afterEach(async () => {
  await server.close();
});

/** Calls the halving makes for a batch of events of these encoded sizes. */
function expectedCalls(sizes: readonly number[]): { ok: number; tooLarge: number } {
  const total = sizes.reduce((a, b) => a + b + 3, ENVELOPE_BYTES);
  // The model must not sit on the limit's edge, or its answer would depend on a few bytes.
  expect(Math.abs(total - SERVER_LIMIT)).toBeGreaterThan(ENVELOPE_BYTES);
  if (total <= SERVER_LIMIT) return { ok: 1, tooLarge: 0 };
  if (sizes.length === 1) return { ok: 0, tooLarge: 1 };
  const half = Math.ceil(sizes.length / 2);
  const a = expectedCalls(sizes.slice(0, half));
  const b = expectedCalls(sizes.slice(half));
  return { ok: a.ok + b.ok, tooLarge: 1 + a.tooLarge + b.tooLarge };
}

describe("batches over the backend's byte limit (default client options)", () => {
  it("are split until accepted; the one event bigger than the limit is dropped and reported, the rest delivered", async () => {
    const recorder = recordErrors();
    // Exact counts of the application's events: loss reports are proven in their own tests.
    const chaukas = clientFor(server, {
      maxBatchSize: 100,
      onError: recorder.onError,
      reportLoss: false,
    });
    const session = chaukas.startSession({ agentId: "planner" });
    const ids: string[] = [];
    let bigId = "";
    for (let i = 1; i < EVENTS; i++) {
      const id = session.system(i === BIG_INDEX ? BIG_TEXT : SMALL_TEXT);
      if (i === BIG_INDEX) bigId = id;
      else ids.push(id);
    }
    await chaukas.flush();

    const stored = storedIds(server, session.id);
    const startId = server.store.events().find((e) => e.type === EventType.SESSION_START)!.eventId;
    expect(stored).toHaveLength(EVENTS - 1);
    expect(new Set(stored)).toEqual(new Set([startId, ...ids]));
    expect(stored).not.toContain(bigId);
    expect(server.store.duplicates).toBe(0);

    const stats = chaukas.stats();
    expect(stats).toMatchObject({
      emitted: EVENTS,
      sent: EVENTS - 1,
      failed: 0,
      dropped: { tooLarge: 1, queueFull: 0, shutdown: 0, beforeSend: 0 },
    });
    expectBalanced(stats);

    // Exactly one final error: the oversized event, dropped with reason "too-large".
    const final = recorder.errors.filter((e) => !e.info.willRetry);
    expect(final.map((e) => [e.error.code, e.info.reason, e.info.events])).toEqual([
      [Code.ResourceExhausted, "too-large", 1],
    ]);
    // Every other report was a split announcement.
    expect(recorder.errors.filter((e) => e.info.willRetry).map((e) => e.info.reason)).toEqual(
      Array(recorder.errors.length - 1).fill("too-large"),
    );

    // The server saw exactly the calls the halving implies, and nothing was retried as is.
    const sizeOf = (id: string) => toBinary(EventSchema, server.store.get(id)!).length;
    // The dropped event is a SYSTEM event like the others, with the big text.
    const big = clone(EventSchema, server.store.get(ids[0]!)!);
    big.eventId = bigId;
    big.content = {
      case: "message",
      value: create(MessageContentSchema, { role: "system", text: BIG_TEXT }),
    };
    const bigSize = toBinary(EventSchema, big).length;
    expect(bigSize).toBeGreaterThan(SERVER_LIMIT);
    const inOrder = [startId, ...ids.slice(0, BIG_INDEX - 1), bigId, ...ids.slice(BIG_INDEX - 1)];
    const sizes = inOrder.map((id) => (id === bigId ? bigSize : sizeOf(id)));
    let ok = 0;
    let tooLarge = 0;
    for (let start = 0; start < sizes.length; start += 100) {
      const calls = expectedCalls(sizes.slice(start, start + 100));
      ok += calls.ok;
      tooLarge += calls.tooLarge;
    }
    expect(batchCalls(server, "ok")).toBe(ok);
    expect(batchCalls(server, "resource_exhausted")).toBe(tooLarge);
    expect(stats.exportCalls).toBe(ok + tooLarge);
    expect(stats.retried).toBe(0);
    await chaukas.shutdown();
  });
});
