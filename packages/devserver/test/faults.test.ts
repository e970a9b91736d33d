import { EventType } from "@chaukas/spec/common/v1";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  BATCH_TOO_LARGE_REASON,
  type DevServer,
  ERROR_REASON_METADATA_KEY,
  FAULT_METADATA_KEY,
  RETRY_PUSHBACK_METADATA_KEY,
  startDevServer,
} from "../src/index.js";
import { chaukasClient, TRANSPORT_NAMES } from "./clients.js";
import { makeEvent, oneOfEachType } from "./fixtures.js";

let server: DevServer;
let nextN = 0;
/** A fresh, valid event each call. */
const event = () => makeEvent(EventType.SYSTEM, nextN++, { sessionId: "faults" });

beforeAll(async () => {
  server = await startDevServer();
});
afterEach(async () => {
  server.faults.reset();
  await server.faults.settled();
});
afterAll(async () => {
  await server.close();
});

/** The code a call ends with: "ok" or the ConnectError's code, with its metadata. */
async function outcome(call: Promise<unknown>): Promise<{ code: Code | "ok"; metadata?: Headers }> {
  try {
    await call;
    return { code: "ok" };
  } catch (error) {
    const e = ConnectError.from(error);
    return { code: e.code, metadata: e.metadata };
  }
}

describe("down", () => {
  it.each(TRANSPORT_NAMES)(
    "refuses connections over %s, then serves the same URL again",
    async (name) => {
      const client = chaukasClient(name, server.url);
      // A connection that is open before the outage (HTTP/2 session, keep-alive socket).
      expect((await outcome(client.healthz({}))).code).toBe("ok");

      server.faults.down = true;
      await server.faults.settled();
      const e = event();
      // The first call may still try the connection the server just dropped: then the client
      // sees a broken pipe or refused stream ("internal"), as after a real crash. Every call
      // after that is refused at connect time.
      const first = (await outcome(client.ingestEvent({ event: e }))).code;
      expect([Code.Unavailable, Code.Internal, Code.Aborted]).toContain(first);
      expect((await outcome(client.ingestEvent({ event: e }))).code).toBe(Code.Unavailable);
      expect((await outcome(client.healthz({}))).code).toBe(Code.Unavailable);
      const fresh = chaukasClient(name, server.url);
      expect((await outcome(fresh.healthz({}))).code).toBe(Code.Unavailable);
      expect(server.store.get(e.eventId)).toBeUndefined();

      server.faults.down = false;
      await server.faults.settled();
      expect((await outcome(client.ingestEvent({ event: e }))).code).toBe("ok");
      expect(server.store.get(e.eventId)).toBeDefined();
    },
  );

  it("can start down, from the options", async () => {
    const downServer = await startDevServer({ faults: { down: true } });
    try {
      const client = chaukasClient("grpc (HTTP/2)", downServer.url);
      expect((await outcome(client.healthz({}))).code).toBe(Code.Unavailable);
      downServer.faults.down = false;
      await downServer.faults.settled();
      expect((await outcome(client.healthz({}))).code).toBe("ok");
    } finally {
      await downServer.close();
    }
  });
});

describe("failEvery", () => {
  it("fails exactly every k-th ingest call with the chosen code, storing nothing of those", async () => {
    const client = chaukasClient("grpc (HTTP/2)", server.url);
    server.faults.failEvery = { k: 3, code: Code.Unavailable };
    const before = server.store.calls.byMethodAndCode.IngestEvent?.unavailable ?? 0;
    const sent = Array.from({ length: 9 }, event);
    const codes = [];
    for (const e of sent) codes.push((await outcome(client.ingestEvent({ event: e }))).code);
    const U = Code.Unavailable;
    expect(codes).toEqual(["ok", "ok", U, "ok", "ok", U, "ok", "ok", U]);
    expect(sent.map((e) => server.store.get(e.eventId) !== undefined)).toEqual(
      codes.map((c) => c === "ok"),
    );
    expect((server.store.calls.byMethodAndCode.IngestEvent?.unavailable ?? 0) - before).toBe(3);
  });

  it.each([Code.Unavailable, Code.ResourceExhausted, Code.Internal, Code.DeadlineExceeded])(
    "injects code %s, marked as injected",
    async (code) => {
      server.faults.failEvery = { k: 1, code };
      const result = await outcome(
        chaukasClient("connect (HTTP/1.1, JSON)", server.url).ingestEventBatch({
          eventBatch: { events: [event()] },
        }),
      );
      expect(result.code).toBe(code);
      expect(result.metadata?.get(FAULT_METADATA_KEY)).toBe("injected");
    },
  );

  it("with afterStore, stores the events and still fails: the retry is a duplicate", async () => {
    const client = chaukasClient("grpc (HTTP/2)", server.url);
    server.faults.failEvery = { k: 1, code: Code.DeadlineExceeded, afterStore: true };
    const batch = oneOfEachType({ sessionId: "after-store", firstN: 90_000 });
    const duplicatesBefore = server.store.duplicates;
    expect((await outcome(client.ingestEventBatch({ eventBatch: { events: batch } }))).code).toBe(
      Code.DeadlineExceeded,
    );
    for (const e of batch) expect(server.store.get(e.eventId)).toBeDefined();
    server.faults.failEvery = undefined;
    expect((await outcome(client.ingestEventBatch({ eventBatch: { events: batch } }))).code).toBe(
      "ok",
    );
    expect(server.store.duplicates - duplicatesBefore).toBe(19);
  });

  it("leaves Healthz, GetCapabilities and QueryEvents alone", async () => {
    server.faults.failEvery = { k: 1, code: Code.Unavailable };
    const client = chaukasClient("grpc-web (HTTP/1.1)", server.url);
    expect((await outcome(client.healthz({}))).code).toBe("ok");
    expect((await outcome(client.getCapabilities({}))).code).toBe("ok");
    expect((await outcome(client.queryEvents({ query: {} }))).code).toBe("ok");
    expect((await outcome(client.ingestEvent({ event: event() }))).code).toBe(Code.Unavailable);
  });
});

describe("failFirst", () => {
  it("fails the first n ingest calls after it is set, then none", async () => {
    const client = chaukasClient("grpc-web (HTTP/1.1)", server.url);
    server.faults.failFirst = { n: 2, code: Code.Internal };
    const injectedBefore = server.faults.injectedFailures;
    const codes = [];
    for (let i = 0; i < 5; i++)
      codes.push((await outcome(client.ingestEvent({ event: event() }))).code);
    expect(codes).toEqual([Code.Internal, Code.Internal, "ok", "ok", "ok"]);
    expect(server.faults.injectedFailures - injectedBefore).toBe(2);
  });

  it("can be set from the options and carries grpc-retry-pushback-ms when asked", async () => {
    const faulty = await startDevServer({
      faults: { failFirst: { n: 1, code: Code.ResourceExhausted }, retryPushbackMs: 250 },
    });
    try {
      const client = chaukasClient("grpc (HTTP/2)", faulty.url);
      const first = await outcome(client.ingestEvent({ event: event() }));
      expect(first.code).toBe(Code.ResourceExhausted);
      expect(first.metadata?.get(RETRY_PUSHBACK_METADATA_KEY)).toBe("250");
      expect((await outcome(client.ingestEvent({ event: event() }))).code).toBe("ok");
      expect(faulty.store.calls.byMethodAndCode.IngestEvent).toEqual({
        resource_exhausted: 1,
        ok: 1,
      });
    } finally {
      await faulty.close();
    }
  });
});

describe("latency", () => {
  it("delays ingest calls: a call whose deadline is shorter fails and stores nothing", async () => {
    server.faults.latencyMs = 1000;
    const client = chaukasClient("grpc (HTTP/2)", server.url);
    const late = event();
    const result = await outcome(client.ingestEvent({ event: late }, { timeoutMs: 100 }));
    expect(result.code).toBe(Code.DeadlineExceeded);
    // Queries are not delayed, so they answer well inside the same deadline.
    expect((await outcome(client.queryEvents({ query: {} }, { timeoutMs: 500 }))).code).toBe("ok");
    server.faults.latencyMs = 50;
    const onTime = event();
    expect((await outcome(client.ingestEvent({ event: onTime }))).code).toBe("ok");
    expect(server.store.get(onTime.eventId)).toBeDefined();
    expect(server.store.get(late.eventId)).toBeUndefined();
  });
});

describe("maxBatchBytes override", () => {
  it("refuses bigger batches with the split signal until it is lifted", async () => {
    const client = chaukasClient("grpc (HTTP/2)", server.url);
    const batch = oneOfEachType({ sessionId: "bytes", firstN: 95_000 });
    server.faults.maxBatchBytes = 2000;
    const refused = await outcome(client.ingestEventBatch({ eventBatch: { events: batch } }));
    expect(refused.code).toBe(Code.ResourceExhausted);
    expect(refused.metadata?.get(ERROR_REASON_METADATA_KEY)).toBe(BATCH_TOO_LARGE_REASON);
    // Split in two, each half fits.
    for (const half of [batch.slice(0, 3), batch.slice(3, 6)]) {
      expect((await outcome(client.ingestEventBatch({ eventBatch: { events: half } }))).code).toBe(
        "ok",
      );
    }
    server.faults.maxBatchBytes = undefined;
    expect((await outcome(client.ingestEventBatch({ eventBatch: { events: batch } }))).code).toBe(
      "ok",
    );
  });
});
