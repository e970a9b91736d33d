// The public REST API of openapi-public.yaml on the devserver's one port: JSON in and out, the
// answers held to the document itself, the same auth, limits, faults, CORS and storage as the RPCs.
import { gzipSync } from "node:zlib";
import { create, equals, type JsonObject, toBinary } from "@bufbuild/protobuf";
import { eventToPublicJson, fromPublicJson, type PublicIngestResult } from "@chaukas/client/rest";
import { IngestEventRequestSchema } from "@chaukas/spec/client/v1";
import {
  ErrorInfoSchema,
  type Event,
  EventSchema,
  EventStatus,
  EventType,
  MessageContentSchema,
  QueryResponseSchema,
  SortOrder,
} from "@chaukas/spec/common/v1";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schemaErrors } from "../../client/test/support/openapi.js";
import {
  BATCH_TOO_LARGE_REASON,
  type DevServer,
  ERROR_REASON_METADATA_KEY,
  FAULT_METADATA_KEY,
  startDevServer,
} from "../src/index.js";
import { chaukasClient } from "./clients.js";
import { makeEvent, oneOfEachType } from "./fixtures.js";
import { createHttp2Sender } from "./support/raw-rpc.js";

const API_KEY = "sk-rest-test-41d2";
const AUTH = { authorization: `Bearer ${API_KEY}` };
const JSON_HEADERS = { ...AUTH, "content-type": "application/json" };
const logLines: string[] = [];
let server: DevServer;

beforeAll(async () => {
  server = await startDevServer({
    apiKey: API_KEY,
    maxBatchBytes: 64 * 1024,
    maxRequestBytes: 256 * 1024,
    logger: { info: (line) => logLines.push(line), error: (line) => logLines.push(line) },
  });
});
afterAll(async () => {
  await server.close();
});

interface Answer {
  status: number;
  headers: Headers;
  json: JsonObject;
}

async function send(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = JSON_HEADERS,
): Promise<Answer> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers,
    body:
      body === undefined
        ? null
        : body instanceof Uint8Array
          ? Buffer.from(body)
          : typeof body === "string"
            ? body
            : JSON.stringify(body),
  });
  const text = await res.text();
  let json: JsonObject = {};
  try {
    json = JSON.parse(text) as JsonObject;
  } catch {
    json = { text };
  }
  return { status: res.status, headers: res.headers, json };
}

/** The events stored for `sessionId`, read back over gRPC, oldest first. */
async function storedSession(sessionId: string): Promise<Event[]> {
  const client = chaukasClient("grpc (HTTP/2)", server.url, { apiKey: API_KEY });
  const { response } = await client.queryEvents({
    query: { filter: { sessionId }, pageSize: 1000, orderByTime: SortOrder.ASC },
  });
  return response?.events ?? [];
}

function logLinesSince(count: number): string[] {
  return logLines.slice(count);
}

describe("GET /healthz and /v1/capabilities", () => {
  it("answer 200 with JSON; capabilities as the document's Capabilities schema says", async () => {
    const health = await send("GET", "/healthz", undefined, AUTH);
    expect(health.status).toBe(200);
    const capabilities = await send("GET", "/v1/capabilities", undefined, AUTH);
    expect(capabilities.status).toBe(200);
    expect(schemaErrors("Capabilities", capabilities.json)).toEqual([]);
    expect(capabilities.json).toEqual({
      worm_retention: false,
      audit_proofs: false,
      distributed_query: false,
      rbac: false,
      sso: false,
      policy_decisions: true,
      data_access_events: true,
    });
  });
});

describe("POST /v1/events and /v1/events/batch", () => {
  it("store all 19 event types one by one (202) and read them back protobuf-equal", async () => {
    const events = oneOfEachType({ sessionId: "rest-single", firstN: 1000 });
    for (const event of events) {
      const json = eventToPublicJson(event);
      expect(schemaErrors("Event", json)).toEqual([]);
      const answer = await send("POST", "/v1/events", json);
      expect(answer.status, event.eventId).toBe(202);
      expect(answer.json).toMatchObject({ accepted_count: 1, rejected_count: 0 });
    }
    const stored = await storedSession("rest-single");
    expect(stored).toHaveLength(19);
    for (const event of events) {
      expect(equals(EventSchema, stored.find((e) => e.eventId === event.eventId)!, event)).toBe(
        true,
      );
    }
  });

  it("store a batch (202), then /v1/query pages through it as the document's QueryResponse", async () => {
    const events = oneOfEachType({ sessionId: "rest-batch", firstN: 2000 });
    const batch = { batch_id: "b-rest", events: events.map(eventToPublicJson) };
    expect(schemaErrors("EventBatch", batch)).toEqual([]);
    const answer = await send("POST", "/v1/events/batch", batch);
    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({
      batch_id: "b-rest",
      accepted_count: 19,
      rejected_count: 0,
      rejected_event_ids: [],
      rejected: [],
    });

    // The same filters, order and paging as QueryEvents.
    const read: Event[] = [];
    let pageToken = "";
    do {
      const query = {
        filter: { session_id: "rest-batch", statuses: ["COMPLETED", "FAILED"] },
        page_size: 5,
        order_by_time: "ASC",
        ...(pageToken === "" ? {} : { page_token: pageToken }),
      };
      expect(schemaErrors("QueryRequest", query)).toEqual([]);
      const page = await send("POST", "/v1/query", query);
      expect(page.status).toBe(200);
      expect(schemaErrors("QueryResponse", page.json)).toEqual([]);
      const response = fromPublicJson(QueryResponseSchema, page.json);
      read.push(...response.events);
      pageToken = response.nextPageToken;
    } while (pageToken !== "");
    expect(read.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
    for (const [i, event] of events.entries()) {
      expect(equals(EventSchema, read[i]!, event)).toBe(true);
    }

    const failedOnly = await send("POST", "/v1/query", {
      filter: { session_id: "rest-batch", statuses: ["FAILED"], types: ["ERROR", "RETRY"] },
    });
    expect((failedOnly.json.events as JsonObject[]).map((e) => e.type).sort()).toEqual([
      "ERROR",
      "RETRY",
    ]);
  });

  it("store the valid events of a batch and name the others (index, event id, reason), also in the log", async () => {
    const good = [1, 2, 3].map((i) =>
      makeEvent(EventType.SYSTEM, 3000 + i, { sessionId: "rest-partial" }),
    );
    // As chaukas-sdk sends a failed tool call: error content, no tool_response.
    const failedEnd = makeEvent(EventType.TOOL_CALL_END, 3004, { sessionId: "rest-partial" });
    failedEnd.status = EventStatus.FAILED;
    failedEnd.content = {
      case: "error",
      value: create(ErrorInfoSchema, { errorMessage: "timeout", recoverable: true }),
    };
    const events = [
      eventToPublicJson(good[0]!),
      { ...eventToPublicJson(good[1]!), event_id: "bad-type", type: "EVENT_TYPE_SYSTEM" },
      eventToPublicJson(good[1]!),
      { ...eventToPublicJson(good[2]!), event_id: "" },
      eventToPublicJson(failedEnd),
      eventToPublicJson(good[2]!),
    ];
    const logged = logLines.length;
    const answer = await send("POST", "/v1/events/batch", { events });
    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({
      accepted_count: 4,
      rejected_count: 2,
      rejected_event_ids: ["bad-type", ""],
    });
    const rejected = (answer.json as unknown as PublicIngestResult).rejected;
    expect(rejected.map((r) => [r.index, r.event_id, r.field])).toEqual([
      [1, "bad-type", "type"],
      [3, "", "event_id"],
    ]);
    expect(rejected[0]!.reason).toContain('got "EVENT_TYPE_SYSTEM"');
    expect(rejected[1]!.reason).toBe("required");
    const stored = await storedSession("rest-partial");
    expect(stored.map((e) => e.eventId).sort()).toEqual(
      [...good, failedEnd].map((e) => e.eventId).sort(),
    );
    expect(
      equals(EventSchema, stored.find((e) => e.eventId === failedEnd.eventId)!, failedEnd),
    ).toBe(true);
    const lines = logLinesSince(logged);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^POST \/v1\/events\/batch: ingest batch 6 events .* → ok, 2 rejected: /,
    );
    expect(lines[0]).toContain('events[1].type (event_id "bad-type") is invalid');
    expect(lines[0]).toContain('events[3].event_id (event_id "") is invalid: required');

    // Sent again (a client resending on error would not: this was no error), nothing is stored twice.
    const again = await send("POST", "/v1/events/batch", { events });
    expect(again.status).toBe(202);
    expect(await storedSession("rest-partial")).toHaveLength(4);
  });

  it("answer one invalid event with 400 naming the field", async () => {
    const event = { ...eventToPublicJson(makeEvent(EventType.SYSTEM, 3100)), type: "UNSPECIFIED" };
    const answer = await send("POST", "/v1/events", event);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ code: "invalid_argument", field: "type" });
    const noId = { ...eventToPublicJson(makeEvent(EventType.SYSTEM, 3101)), event_id: "" };
    expect((await send("POST", "/v1/events", noId)).json).toMatchObject({ field: "event_id" });
  });
});

describe("what the REST routes refuse, each with a body and one log line", () => {
  it.each([
    [
      "no API key",
      "POST",
      "/v1/events/batch",
      { events: [] },
      { "content-type": "application/json" },
      401,
      "unauthenticated",
    ],
    [
      "a wrong API key",
      "GET",
      "/v1/capabilities",
      undefined,
      { authorization: "Bearer nope" },
      401,
      "unauthenticated",
    ],
    [
      "a content type the route does not read",
      "POST",
      "/v1/events",
      "x",
      { ...AUTH, "content-type": "text/plain" },
      415,
      "invalid_argument",
    ],
    [
      "JSON that does not parse",
      "POST",
      "/v1/events/batch",
      "{",
      JSON_HEADERS,
      400,
      "invalid_argument",
    ],
    [
      "a batch whose events are no list",
      "POST",
      "/v1/events/batch",
      { events: {} },
      JSON_HEADERS,
      400,
      "invalid_argument",
    ],
    [
      "a query with a bad enum name",
      "POST",
      "/v1/query",
      { filter: { types: ["START"] } },
      JSON_HEADERS,
      400,
      "invalid_argument",
    ],
    [
      "a foreign page token",
      "POST",
      "/v1/query",
      { filter: {}, page_token: "nope" },
      JSON_HEADERS,
      400,
      "invalid_argument",
    ],
    [
      "a body over the read limit",
      "POST",
      "/v1/events/batch",
      "x".repeat(300 * 1024),
      JSON_HEADERS,
      413,
      "resource_exhausted",
    ],
    [
      "an encoding not served",
      "POST",
      "/v1/events",
      "x",
      { ...JSON_HEADERS, "content-encoding": "zstd" },
      415,
      "unimplemented",
    ],
  ] as const)("%s", async (_, method, path, body, headers, status, code) => {
    const logged = logLines.length;
    const answer = await send(method, path, body, headers);
    expect(answer.status).toBe(status);
    expect(answer.json.code).toBe(code);
    expect(String(answer.json.message).length).toBeGreaterThan(10);
    expect(JSON.stringify(answer.json)).not.toContain(API_KEY);
    const lines = logLinesSince(logged);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`refused ${method} ${path} → ${status}`);
  });

  it("a batch over the byte limit: 413 with reason batch-too-large (split and resend), nothing stored", async () => {
    const big = "y".repeat(20 * 1024);
    const events = [1, 2, 3, 4].map((i) => {
      const event = makeEvent(EventType.INPUT_RECEIVED, 3200 + i, { sessionId: "rest-big" });
      event.content = { case: "message", value: create(MessageContentSchema, { text: big }) };
      return eventToPublicJson(event);
    });
    const answer = await send("POST", "/v1/events/batch", { events });
    expect(answer.status).toBe(413);
    expect(answer.json).toMatchObject({
      code: "resource_exhausted",
      reason: BATCH_TOO_LARGE_REASON,
    });
    expect(answer.headers.get(ERROR_REASON_METADATA_KEY)).toBe(BATCH_TOO_LARGE_REASON);
    expect(await storedSession("rest-big")).toEqual([]);
    const half = await send("POST", "/v1/events/batch", { events: events.slice(0, 2) });
    expect(half.status).toBe(202);
  });

  it("unknown routes and methods: 404 / 405 with what is served", async () => {
    const missing = await send("POST", "/v1/event", {});
    expect(missing.status).toBe(404);
    expect(missing.json.text).toContain("POST /v1/events/batch");
    expect(missing.json.text).toContain("POST /events/batch");
    const wrongMethod = await send("GET", "/v1/query", undefined, AUTH);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("POST");
  });
});

describe("the REST routes share the RPCs' faults, encodings, HTTP versions and CORS", () => {
  it("an injected failure is its HTTP status with the fault header and Retry-After; nothing stored", async () => {
    server.faults.set({ failFirst: { n: 1, code: Code.Unavailable }, retryPushbackMs: 1500 });
    try {
      const event = makeEvent(EventType.SYSTEM, 3300, { sessionId: "rest-fault" });
      const failed = await send("POST", "/v1/events/batch", { events: [eventToPublicJson(event)] });
      expect(failed.status).toBe(503);
      expect(failed.json.code).toBe("unavailable");
      expect(failed.headers.get(FAULT_METADATA_KEY)).toBe("injected");
      expect(failed.headers.get("retry-after")).toBe("2");
      expect(await storedSession("rest-fault")).toEqual([]);
      const retried = await send("POST", "/v1/events/batch", {
        events: [eventToPublicJson(event)],
      });
      expect(retried.status).toBe(202);
    } finally {
      server.faults.reset();
    }
  });

  it("reads a gzip body, and serves HTTP/2 (h2c) as well as HTTP/1.1", async () => {
    const event = makeEvent(EventType.SYSTEM, 3400, { sessionId: "rest-encodings" });
    const gz = gzipSync(Buffer.from(JSON.stringify(eventToPublicJson(event))));
    const zipped = await send("POST", "/v1/events", new Uint8Array(gz), {
      ...JSON_HEADERS,
      "content-encoding": "gzip",
    });
    expect(zipped.status).toBe(202);

    const h2 = createHttp2Sender(server.url);
    try {
      const second = makeEvent(EventType.SYSTEM, 3401, { sessionId: "rest-encodings" });
      const response = await h2.send({
        path: "/v1/events",
        headers: JSON_HEADERS,
        body: Buffer.from(JSON.stringify(eventToPublicJson(second))),
      });
      expect(response === "reset" ? response : response.status).toBe(202);
    } finally {
      h2.close();
    }
    expect(await storedSession("rest-encodings")).toHaveLength(2);
  });

  it("answers a page's preflight and lets it read the ingest counts", async () => {
    const origin = "http://app.example.test:3000";
    const preflight = await fetch(`${server.url}/v1/events/batch`, {
      method: "OPTIONS",
      headers: {
        Origin: origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,authorization",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(origin);
    const event = makeEvent(EventType.SYSTEM, 3500, { sessionId: "rest-cors" });
    const answer = await send(
      "POST",
      "/v1/events/batch",
      { events: [eventToPublicJson(event)] },
      {
        ...JSON_HEADERS,
        Origin: origin,
      },
    );
    expect(answer.status).toBe(202);
    expect(answer.headers.get("access-control-allow-origin")).toBe(origin);
    expect(answer.headers.get("access-control-expose-headers")).toContain("chaukas-accepted-count");
  });
});

describe("the RPC paths", () => {
  it("read application/x-protobuf as Connect's binary", async () => {
    const event = makeEvent(EventType.SYSTEM, 3600, { sessionId: "rpc-x-protobuf" });
    const body = toBinary(IngestEventRequestSchema, create(IngestEventRequestSchema, { event }));
    const res = await fetch(
      `${server.url}/chaukas.spec.client.v1.ChaukasClientService/IngestEvent`,
      {
        method: "POST",
        headers: { ...AUTH, "content-type": "application/x-protobuf" },
        body,
      },
    );
    expect(res.status).toBe(200);
    expect(equals(EventSchema, server.store.get(event.eventId)!, event)).toBe(true);
  });

  it("answer a content type no protocol uses with 415 saying what is read, and one log line", async () => {
    const logged = logLines.length;
    const res = await fetch(
      `${server.url}/chaukas.spec.client.v1.ChaukasClientService/IngestEvent`,
      {
        method: "POST",
        headers: { ...AUTH, "content-type": "text/csv" },
        body: "a,b",
      },
    );
    expect(res.status).toBe(415);
    const text = await res.text();
    expect(text).toContain("application/grpc-web");
    expect(text).toContain("not text/csv");
    expect(logLinesSince(logged)).toEqual([
      expect.stringContaining(
        "refused POST /chaukas.spec.client.v1.ChaukasClientService/IngestEvent → 415",
      ),
    ]);
  });
});
