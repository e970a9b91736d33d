import { clone, create, equals } from "@bufbuild/protobuf";
import {
  ErrorInfoSchema,
  type Event,
  EventSchema,
  EventStatus,
  EventType,
  MessageContentSchema,
} from "@chaukas/spec/common/v1";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BATCH_TOO_LARGE_REASON,
  type DevServer,
  ERROR_REASON_METADATA_KEY,
  INGEST_COUNT_METADATA_KEYS,
  startDevServer,
} from "../src/index.js";
import { chaukasClient, TRANSPORT_NAMES } from "./clients.js";
import { makeEvent } from "./fixtures.js";

let server: DevServer;

beforeAll(async () => {
  server = await startDevServer({ maxBatchEvents: 50, maxBatchBytes: 64 * 1024 });
});
afterAll(async () => {
  await server.close();
});

/** A copy of `event` with some fields replaced (nested messages already created). */
function changed(event: Event, change: Partial<Event>): Event {
  return Object.assign(clone(EventSchema, event), change);
}

/** The ConnectError a call rejects with (fails the test if it resolves). */
async function errorOf(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("the call succeeded, an error was expected");
}

describe.each(TRANSPORT_NAMES)("over %s", (transportName) => {
  const client = () => chaukasClient(transportName, server.url);

  it.each([
    ["a missing event_id", { eventId: "" }, "event.event_id"],
    ["type UNSPECIFIED", { type: EventType.UNSPECIFIED }, "event.type"],
    ["a type the spec does not know", { type: 999 as EventType }, "event.type"],
  ] as const satisfies readonly [string, Partial<Event>, string][])(
    "rejects %s with INVALID_ARGUMENT naming the field",
    async (_, change, field) => {
      // RETRY carries no message content, so the base is a content-free RETRY-compatible event.
      const base = changed(makeEvent(EventType.RETRY, 1), {
        retry: undefined,
        content: { case: undefined },
      });
      const event = changed(base, change);
      const sizeBefore = server.store.size;
      const error = await errorOf(client().ingestEvent({ event }));
      expect(error.code).toBe(Code.InvalidArgument);
      expect(error.rawMessage).toContain(field);
      expect(server.store.size).toBe(sizeBefore);
    },
  );

  it.each([
    [
      "a failed TOOL_CALL_END carrying error content (as chaukas-sdk sends it)",
      {
        type: EventType.TOOL_CALL_END,
        status: EventStatus.FAILED,
        content: {
          case: "error",
          value: create(ErrorInfoSchema, { errorMessage: "timeout", recoverable: true }),
        },
      },
    ],
    [
      "content the SDK's builders would not put on the type",
      {
        type: EventType.TOOL_CALL_START,
        content: { case: "message", value: create(MessageContentSchema, { text: "x" }) },
      },
    ],
    ["a RETRY without the retry attachment", { type: EventType.RETRY, retry: undefined }],
    [
      "an event with no content",
      { type: EventType.MODEL_INVOCATION_END, content: { case: undefined } },
    ],
  ] as const satisfies readonly [string, Partial<Event>][])(
    "accepts what the spec leaves open and stores it as sent: %s",
    async (what, change) => {
      const event = changed(makeEvent(EventType.SYSTEM, 400 + what.length), change);
      await client().ingestEvent({ event });
      expect(equals(EventSchema, server.store.get(event.eventId)!, event)).toBe(true);
    },
  );

  it("rejects a request without event or event_batch", async () => {
    const single = await errorOf(client().ingestEvent({}));
    expect(single.code).toBe(Code.InvalidArgument);
    expect(single.rawMessage).toContain("event is required");
    const batch = await errorOf(client().ingestEventBatch({}));
    expect(batch.code).toBe(Code.InvalidArgument);
    expect(batch.rawMessage).toContain("event_batch is required");
  });

  it("answers a batch over maxBatchEvents with RESOURCE_EXHAUSTED and the split signal", async () => {
    const events = Array.from({ length: 51 }, (_, i) => makeEvent(EventType.SYSTEM, 100 + i));
    const sizeBefore = server.store.size;
    const error = await errorOf(client().ingestEventBatch({ eventBatch: { events } }));
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.rawMessage).toContain("too large");
    expect(error.metadata.get(ERROR_REASON_METADATA_KEY)).toBe(BATCH_TOO_LARGE_REASON);
    expect(server.store.size).toBe(sizeBefore);
  });

  it("answers a batch over maxBatchBytes with RESOURCE_EXHAUSTED and the split signal", async () => {
    const big = "x".repeat(10 * 1024);
    const events = Array.from({ length: 8 }, (_, i) =>
      changed(makeEvent(EventType.INPUT_RECEIVED, 200 + i), {
        content: {
          case: "message",
          value: create(MessageContentSchema, { role: "user", text: big }),
        },
      }),
    );
    const error = await errorOf(client().ingestEventBatch({ eventBatch: { events } }));
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.rawMessage).toContain("too large");
    expect(error.metadata.get(ERROR_REASON_METADATA_KEY)).toBe(BATCH_TOO_LARGE_REASON);
    // Half of it fits: the split the client makes on this signal succeeds.
    await client().ingestEventBatch({ eventBatch: { events: events.slice(0, 4) } });
  });

  it("rejects a negative page_size, a foreign page_token and a token reused with another filter", async () => {
    const negative = await errorOf(client().queryEvents({ query: { pageSize: -1 } }));
    expect(negative.code).toBe(Code.InvalidArgument);
    expect(negative.rawMessage).toContain("page_size");

    const garbage = await errorOf(client().queryEvents({ query: { pageToken: "not-a-token" } }));
    expect(garbage.code).toBe(Code.InvalidArgument);
    expect(garbage.rawMessage).toContain("page_token");

    const { response } = await client().queryEvents({ query: { pageSize: 1 } });
    expect(response?.nextPageToken).not.toBe("");
    const reused = await errorOf(
      client().queryEvents({
        query: {
          pageSize: 1,
          pageToken: response?.nextPageToken ?? "",
          filter: { sessionId: "other" },
        },
      }),
    );
    expect(reused.code).toBe(Code.InvalidArgument);
    expect(reused.rawMessage).toContain("different filter");

    const missing = await errorOf(client().queryEvents({}));
    expect(missing.code).toBe(Code.InvalidArgument);
    expect(missing.rawMessage).toContain("query is required");
  });
});

describe("a batch with bad events (partial accept)", () => {
  it("stores the valid events and names index, event_id and field of every bad one", async () => {
    const client = chaukasClient("grpc (HTTP/2)", server.url);
    const good = [0, 1, 2].map((i) =>
      makeEvent(EventType.SYSTEM, 300 + i, { sessionId: "partial" }),
    );
    const noType = changed(makeEvent(EventType.SYSTEM, 303), { type: EventType.UNSPECIFIED });
    const noId = changed(makeEvent(EventType.ERROR, 304), { eventId: "" });
    const events = [good[0]!, noType, good[1]!, noId, good[2]!];
    const error = await errorOf(client.ingestEventBatch({ eventBatch: { events } }));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toContain(`event_batch.events[1].type (event_id "${noType.eventId}")`);
    expect(error.rawMessage).toContain('event_batch.events[3].event_id (event_id "")');
    expect(error.rawMessage).toContain("3 accepted, 2 rejected");
    expect(error.metadata.get(INGEST_COUNT_METADATA_KEYS.accepted)).toBe("3");
    expect(error.metadata.get(INGEST_COUNT_METADATA_KEYS.rejected)).toBe("2");
    for (const event of good) expect(server.store.get(event.eventId)).toBeDefined();
    expect(server.store.get(noType.eventId)).toBeUndefined();

    // A retry of the same batch stores nothing twice.
    const sizeBefore = server.store.size;
    await errorOf(client.ingestEventBatch({ eventBatch: { events } }));
    expect(server.store.size).toBe(sizeBefore);
  });
});
