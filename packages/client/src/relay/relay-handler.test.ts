import { create, type MessageInitShape, toBinary, toJsonString } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  ChaukasClientService,
  IngestEventBatchRequestSchema,
  QueryEventsRequestSchema,
} from "@chaukas/spec/client/v1";
import {
  type Event,
  type EventBatch,
  EventSchema,
  EventType,
  type QueryFilter,
} from "@chaukas/spec/common/v1";
import { createRouterTransport } from "@connectrpc/connect";
import { universalServerRequestFromFetch } from "@connectrpc/connect/protocol";
import { describe, expect, it, vi } from "vitest";
import { uuidv7 } from "../builders/ids.js";
import { createChaukasClient } from "../client.js";
import { eventToPublicJson } from "../rest/public-json.js";
import { ChaukasValidationError } from "../validation/validation-error.js";
import { readBody } from "./bounded-body.js";
import { createRelayHandler } from "./relay-handler.js";
import type { ChaukasRelayOptions, RelayAuthorization } from "./relay-options.js";

const INGEST = "/chaukas.spec.client.v1.ChaukasClientService/IngestEventBatch";
const QUERY = "/chaukas.spec.client.v1.ChaukasClientService/QueryEvents";
const REST_BATCH = "/v1/events/batch";

/** The server's backend: a Connect router keeping what the server's client sends it. */
function backend() {
  const batches: EventBatch[] = [];
  const queries: QueryFilter[] = [];
  const transport = createRouterTransport((router) =>
    router.service(ChaukasClientService, {
      ingestEventBatch(request) {
        if (request.eventBatch) batches.push(request.eventBatch);
        return {};
      },
      queryEvents(request) {
        queries.push(request.query!.filter!);
        const stored = batches.flatMap((b) => b.events);
        const events = stored.filter((e) => e.sessionId === request.query?.filter?.sessionId);
        return { response: { events, nextPageToken: "" } };
      },
    }),
  );
  return { transport, batches, queries, events: () => batches.flatMap((b) => b.events) };
}

/** Authorize by a cookie: `sid=alice` is alice, who owns session-a; anything else is refused. */
const byCookie = (request: Request): RelayAuthorization =>
  request.headers.get("cookie") === "sid=alice"
    ? { tenantId: "acme", projectId: "chat", sessionIds: ["session-a"], callerId: "alice" }
    : null;

function setup(options: Partial<ChaukasRelayOptions<Request>> = {}) {
  const server = backend();
  const chaukas = createChaukasClient({
    transport: server.transport,
    tenantId: "server-tenant",
    projectId: "server-project",
    reportLoss: false,
  });
  const relay = createRelayHandler<Request>(chaukas, { authorize: byCookie, ...options });
  /** Sends a request through the relay as a framework would hand it over. */
  const send = async (path: string, init: RequestInit & { cookie?: string | null } = {}) => {
    const { cookie = "sid=alice", ...rest } = init;
    const headers = new Headers(rest.headers);
    if (cookie !== null) headers.set("cookie", cookie);
    const request = new Request(`http://app.test/chaukas${path}`, {
      method: "POST",
      ...rest,
      headers,
    });
    const response = await relay.handle(universalServerRequestFromFetch(request, {}), request);
    if (response === undefined) return undefined;
    const text = new TextDecoder().decode(
      await readBody(response.body ?? (async function* () {})()),
    );
    return { status: response.status, header: response.header ?? new Headers(), text };
  };
  /** What reached the backend, once the server's client delivered it. */
  const forwarded = async () => {
    await chaukas.flush();
    return server.events();
  };
  return { relay, chaukas, server, send, forwarded };
}

/** An event as a page builds it, with a forged tenant and project. */
function pageEvent(init: MessageInitShape<typeof EventSchema> = {}): Event {
  return create(EventSchema, {
    eventId: uuidv7(),
    timestamp: timestampFromMs(1_700_000_000_123),
    tenantId: "forged-tenant",
    projectId: "forged-project",
    sessionId: "session-a",
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    type: EventType.INPUT_RECEIVED,
    content: { case: "message", value: { text: "hello" } },
    ...init,
  });
}

const connectProto = (events: Event[]): RequestInit => ({
  headers: { "content-type": "application/proto", "connect-protocol-version": "1" },
  body: toBinary(
    IngestEventBatchRequestSchema,
    create(IngestEventBatchRequestSchema, { eventBatch: { batchId: "b1", events } }),
  ),
});

const connectJson = (events: Event[]): RequestInit => ({
  headers: { "content-type": "application/json", "connect-protocol-version": "1" },
  body: toJsonString(
    IngestEventBatchRequestSchema,
    create(IngestEventBatchRequestSchema, { eventBatch: { batchId: "b1", events } }),
  ),
});

const restJson = (events: Event[], extra: Record<string, unknown> = {}): RequestInit => ({
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ batch_id: "b1", events: events.map(eventToPublicJson), ...extra }),
});

describe("createRelayHandler: what it forwards", () => {
  it.each([
    ["Connect, binary", INGEST, connectProto],
    ["Connect, JSON", INGEST, connectJson],
    ["the REST batch", REST_BATCH, restJson],
  ] as const)(
    "forwards %s through the server's client with the grant's tenant and project, the page's ids and times kept",
    async (_, path, body) => {
      const { send, forwarded, relay } = setup();
      const sent = [pageEvent(), pageEvent({ type: EventType.OUTPUT_EMITTED })];
      const response = await send(path, body(sent));
      expect(response?.status).toBe(path === REST_BATCH ? 202 : 200);
      const events = await forwarded();
      expect(events.map((e) => e.eventId)).toEqual(sent.map((e) => e.eventId));
      for (const event of events) {
        expect(event).toMatchObject({
          tenantId: "acme",
          projectId: "chat",
          sessionId: "session-a",
          traceId: "0af7651916cd43dd8448eb211c80319c",
          spanId: "b7ad6b7169203331",
          timestamp: { seconds: 1_700_000_000n, nanos: 123_000_000 },
        });
      }
      expect(relay.stats()).toMatchObject({ forwarded: 2, foreignSession: 0, malformed: 0 });
    },
  );

  it("answers the REST batch with the public API's ingest result", async () => {
    const { send } = setup();
    const response = await send(REST_BATCH, restJson([pageEvent()]));
    expect(JSON.parse(response!.text)).toEqual({
      batch_id: "b1",
      accepted_count: 1,
      rejected_count: 0,
      rejected_event_ids: [],
      rejected: [],
    });
  });

  it("is mounted under any prefix and leaves every other path to the app", async () => {
    const { relay, send } = setup();
    expect(await send("/chat", { body: "{}" })).toBeUndefined();
    expect(await send(QUERY, connectProto([]))).toBeUndefined(); // query is off by default
    const request = new Request(`http://app.test/api/telemetry/v2${INGEST}`, {
      method: "POST",
      ...connectProto([pageEvent()]),
      headers: { "content-type": "application/proto", cookie: "sid=alice" },
    });
    const response = await relay.handle(universalServerRequestFromFetch(request, {}), request);
    expect(response?.status).toBe(200);
  });
  it("answers 415 to gRPC-web and other content types, authorizing nothing", async () => {
    const authorize = vi.fn(byCookie);
    const { send } = setup({ authorize });
    const grpcWeb = await send(INGEST, {
      headers: { "content-type": "application/grpc-web+proto" },
      body: new Uint8Array(5),
    });
    expect(grpcWeb?.status).toBe(415);
    expect(
      (await send(INGEST, { headers: { "content-type": "text/plain" }, body: "" }))?.status,
    ).toBe(415);
    expect(authorize).not.toHaveBeenCalled();
  });
});

describe("createRelayHandler: who may write what", () => {
  it.each([
    ["refuses (null)", () => null],
    ["refuses (false)", () => false as const],
    [
      "throws",
      () => {
        throw new Error("session store down");
      },
    ],
    ["rejects", () => Promise.reject(new Error("session store down"))],
  ])("answers 401 when authorize %s, before reading the body", async (_, authorize) => {
    const onError = vi.fn();
    const { relay, forwarded } = setup({ authorize, onError });
    let pulled = false;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulled = true;
          controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    const request = new Request(`http://app.test/chaukas${INGEST}`, {
      method: "POST",
      headers: { "content-type": "application/proto" },
      body,
      duplex: "half",
    } as RequestInit);
    const response = await relay.handle(universalServerRequestFromFetch(request, {}), request);
    expect(response?.status).toBe(401);
    expect(pulled).toBe(false);
    expect(await forwarded()).toEqual([]);
    expect(relay.stats().unauthorized).toBe(1);
    expect(onError).toHaveBeenCalledTimes(_ === "throws" || _ === "rejects" ? 1 : 0);
  });

  it("answers 401 to the REST batch too, with the public API's error body", async () => {
    const { send } = setup();
    const response = await send(REST_BATCH, { ...restJson([pageEvent()]), cookie: "sid=mallory" });
    expect(response?.status).toBe(401);
    expect(JSON.parse(response!.text)).toMatchObject({ code: "unauthenticated" });
  });

  it("fails closed with 500 on an answer that is not a grant, and tells onError which property", async () => {
    const onError = vi.fn();
    const { send, forwarded } = setup({
      authorize: () => ({ tenantId: "acme" }) as never,
      onError,
    });
    const response = await send(INGEST, connectProto([pageEvent()]));
    expect(response?.status).toBe(500);
    expect(response?.text).not.toContain("projectId");
    expect(onError).toHaveBeenCalledWith(expect.any(ChaukasValidationError), "authorize");
    expect((onError.mock.calls[0]![0] as ChaukasValidationError).field).toBe("grant.projectId");
    expect(await forwarded()).toEqual([]);
  });

  it("rejects and counts events of sessions the caller does not own, and forwards the rest (Connect)", async () => {
    const { send, forwarded, relay } = setup();
    const own = pageEvent();
    const foreign = pageEvent({ sessionId: "session-of-bob" });
    const response = await send(INGEST, connectProto([own, foreign]));
    expect(response?.status).toBe(403);
    expect(JSON.parse(response!.text)).toMatchObject({ code: "permission_denied" });
    expect(response?.text).toContain(`events[1] ${foreign.eventId}`);
    expect(response?.header.get("chaukas-accepted-count")).toBe("1");
    expect(response?.header.get("chaukas-rejected-count")).toBe("1");
    expect((await forwarded()).map((e) => e.eventId)).toEqual([own.eventId]);
    expect(relay.stats()).toMatchObject({ forwarded: 1, foreignSession: 1 });
  });

  it("lists events of foreign sessions as rejected in the REST batch's result", async () => {
    const { send, forwarded } = setup();
    const foreign = pageEvent({ sessionId: "" });
    const response = await send(REST_BATCH, restJson([pageEvent(), foreign]));
    expect(response?.status).toBe(202);
    expect(JSON.parse(response!.text)).toMatchObject({
      accepted_count: 1,
      rejected_count: 1,
      rejected_event_ids: [foreign.eventId],
      rejected: [{ index: 1, event_id: foreign.eventId, field: "session_id" }],
    });
    expect(await forwarded()).toHaveLength(1);
  });

  it("lets a grant without sessionIds write any session, still under its own tenant", async () => {
    const { send, forwarded } = setup({
      authorize: () => ({ tenantId: "acme", projectId: "chat" }),
    });
    await send(INGEST, connectProto([pageEvent({ sessionId: "any" })]));
    expect(await forwarded()).toMatchObject([{ sessionId: "any", tenantId: "acme" }]);
  });
});

describe("createRelayHandler: malformed batches", () => {
  it("answers 400 to a body that is not the message, and forwards nothing", async () => {
    const { send, forwarded, relay } = setup();
    const response = await send(INGEST, {
      headers: { "content-type": "application/proto" },
      body: new Uint8Array([0x0a, 0xff, 0xff]),
    });
    expect(response?.status).toBe(400);
    expect(JSON.parse(response!.text)).toMatchObject({ code: "invalid_argument" });
    expect(await forwarded()).toEqual([]);
    expect(relay.stats().malformed).toBe(1);
  });

  it.each([
    ["Connect", INGEST, connectProto],
    ["REST", REST_BATCH, restJson],
  ] as const)(
    "answers 400 naming the field when one event is invalid (%s), and forwards none of the batch",
    async (_, path, body) => {
      const { send, forwarded, relay } = setup();
      const invalid = pageEvent({ type: 999 as EventType });
      const response = await send(path, body([pageEvent(), invalid]));
      expect(response?.status).toBe(400);
      expect(response?.text).toContain("events[1].type");
      expect(await forwarded()).toEqual([]);
      expect(relay.stats()).toMatchObject({ malformed: 1, forwarded: 0 });
    },
  );

  it("answers 400 to REST bodies that are not JSON or not an EventBatch", async () => {
    const { send, forwarded } = setup();
    const notJson = await send(REST_BATCH, {
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(notJson?.status).toBe(400);
    expect(JSON.parse(notJson!.text)).toMatchObject({ code: "invalid_argument", field: "body" });
    const badEvent = await send(REST_BATCH, {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        events: [eventToPublicJson(pageEvent()), { content: { kind: "nope" } }],
      }),
    });
    expect(badEvent?.status).toBe(400);
    expect(JSON.parse(badEvent!.text)).toMatchObject({ field: "events[1].content.kind" });
    expect(await forwarded()).toEqual([]);
    const notJsonType = await send(REST_BATCH, {
      headers: { "content-type": "text/plain" },
      body: "{}",
    });
    expect(notJsonType?.status).toBe(415);
  });
});

describe("createRelayHandler: limits per caller", () => {
  it("answers 429 with retry-after over the caller's events per second, and forwards nothing of that batch", async () => {
    const { send, forwarded, relay } = setup({ eventsPerSecond: 1, burstEvents: 5 });
    const first = [pageEvent(), pageEvent(), pageEvent(), pageEvent()];
    expect((await send(INGEST, connectProto(first)))?.status).toBe(200);
    const over = await send(INGEST, connectProto([pageEvent(), pageEvent(), pageEvent()]));
    expect(over?.status).toBe(429);
    expect(JSON.parse(over!.text)).toMatchObject({ code: "resource_exhausted" });
    // 1 event left, 2 more needed at 1 per second.
    expect(over?.header.get("retry-after")).toBe("2");
    const rest = await send(REST_BATCH, restJson([pageEvent(), pageEvent()]));
    expect(rest?.status).toBe(429);
    expect(rest?.header.get("retry-after")).toBe("1");
    expect((await forwarded()).map((e) => e.eventId)).toEqual(first.map((e) => e.eventId));
    expect(relay.stats()).toMatchObject({ forwarded: 4, rateLimited: 2 });
  });

  it("keeps one budget per callerId", async () => {
    const { send } = setup({
      eventsPerSecond: 1,
      burstEvents: 2,
      authorize: (request) => ({
        tenantId: "acme",
        projectId: "chat",
        callerId: request.headers.get("cookie") ?? "",
      }),
    });
    expect(
      (await send(INGEST, { ...connectProto([pageEvent(), pageEvent()]), cookie: "a" }))?.status,
    ).toBe(200);
    expect((await send(INGEST, { ...connectProto([pageEvent()]), cookie: "a" }))?.status).toBe(429);
    expect(
      (await send(INGEST, { ...connectProto([pageEvent(), pageEvent()]), cookie: "b" }))?.status,
    ).toBe(200);
  });

  it("refuses a batch over burstEvents as too large, which the browser client splits", async () => {
    const { send, forwarded, relay } = setup({ burstEvents: 2 });
    const response = await send(INGEST, connectProto([pageEvent(), pageEvent(), pageEvent()]));
    expect(response?.status).toBe(429);
    expect(response?.header.get("chaukas-error-reason")).toBe("batch-too-large");
    const rest = await send(REST_BATCH, restJson([pageEvent(), pageEvent(), pageEvent()]));
    expect(rest?.status).toBe(413);
    expect(JSON.parse(rest!.text)).toMatchObject({ reason: "batch-too-large" });
    expect(await forwarded()).toEqual([]);
    expect(relay.stats().tooLarge).toBe(2);
  });

  it("reads bodies with a bound: a declared length over it is refused unread, a chunked body once it passes it", async () => {
    const { relay, forwarded } = setup({ maxRequestBytes: 200 });
    const large = connectProto(Array.from({ length: 5 }, () => pageEvent()));
    const declared = new Request(`http://app.test${INGEST}`, {
      method: "POST",
      ...large,
      headers: { "content-type": "application/proto", cookie: "sid=alice" },
    });
    const refused = await relay.handle(universalServerRequestFromFetch(declared, {}), declared);
    expect(refused?.status).toBe(429);
    expect(refused?.header?.get("chaukas-error-reason")).toBe("batch-too-large");

    const bytes = large.body as Uint8Array;
    const chunked = new Request(`http://app.test${INGEST}`, {
      method: "POST",
      headers: { "content-type": "application/proto", cookie: "sid=alice" },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 64) controller.enqueue(bytes.slice(i, i + 64));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    const cut = await relay.handle(universalServerRequestFromFetch(chunked, {}), chunked);
    expect(cut?.status).toBe(429);
    expect(cut?.header?.get("chaukas-error-reason")).toBe("batch-too-large");
    expect(await forwarded()).toEqual([]);
    expect(relay.stats().tooLarge).toBe(2);
  });
});

describe("createRelayHandler: query", () => {
  const queryBody = (filter: MessageInitShape<typeof QueryEventsRequestSchema>["query"]) => ({
    headers: { "content-type": "application/json" },
    body: toJsonString(
      QueryEventsRequestSchema,
      create(QueryEventsRequestSchema, { query: filter }),
    ),
  });

  it("answers only for a session authorize granted, with the grant's tenant and project", async () => {
    const { send, server, forwarded } = setup({ query: true });
    await send(INGEST, connectProto([pageEvent()]));
    await forwarded();
    const own = await send(
      QUERY,
      queryBody({ filter: { tenantId: "other", sessionId: "session-a" } }),
    );
    expect(own?.status).toBe(200);
    expect(JSON.parse(own!.text).response.events).toHaveLength(1);
    // The only granted session is the default; tenant and project are never the page's.
    expect((await send(QUERY, queryBody({})))?.status).toBe(200);
    expect(server.queries).toMatchObject([
      { tenantId: "acme", projectId: "chat", sessionId: "session-a" },
      { tenantId: "acme", projectId: "chat", sessionId: "session-a" },
    ]);
    const foreign = await send(QUERY, queryBody({ filter: { sessionId: "session-of-bob" } }));
    expect(foreign?.status).toBe(403);
    expect(server.queries).toHaveLength(2);
  });

  it("refuses queries when the grant names no sessions", async () => {
    const { send, server } = setup({
      query: true,
      authorize: () => ({ tenantId: "acme", projectId: "chat" }),
    });
    const response = await send(QUERY, queryBody({ filter: { sessionId: "session-a" } }));
    expect(response?.status).toBe(403);
    expect(server.queries).toEqual([]);
  });
});

describe("createRelayHandler: options", () => {
  it("throws ChaukasValidationError naming the option", () => {
    const { chaukas } = setup();
    const fieldOf = (options: unknown) => {
      try {
        createRelayHandler(chaukas, options as ChaukasRelayOptions<Request>);
      } catch (error) {
        expect(error).toBeInstanceOf(ChaukasValidationError);
        return (error as ChaukasValidationError).field;
      }
      return undefined;
    };
    expect(fieldOf({})).toBe("authorize");
    expect(fieldOf({ authorize: byCookie, eventsPerSecond: 0 })).toBe("eventsPerSecond");
    expect(fieldOf({ authorize: byCookie, burstEvents: 1.5 })).toBe("burstEvents");
    expect(fieldOf({ authorize: byCookie, maxRequestBytes: -1 })).toBe("maxRequestBytes");
    expect(fieldOf({ authorize: byCookie, query: "yes" })).toBe("query");
    expect(fieldOf({ authorize: byCookie, eventsPerSecond: Infinity })).toBeUndefined();
  });
});
