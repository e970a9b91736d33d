// Interop with the Python chaukas-sdk 0.1.0: requests made byte for byte as it makes them (see
// chaukas-sdk-v0.1.0.ts), recorded on their way to the devserver, and the events read back.
import * as net from "node:net";
import { create, equals, fromBinary, type JsonObject, toBinary, toJson } from "@bufbuild/protobuf";
import type { PublicIngestResult } from "@chaukas/client/rest";
import { IngestEventBatchRequestSchema, IngestEventRequestSchema } from "@chaukas/spec/client/v1";
import {
  type Event,
  EventSchema,
  EventStatus,
  EventType,
  MessageContentSchema,
  SortOrder,
} from "@chaukas/spec/common/v1";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../../src/index.js";
import { chaukasClient } from "../clients.js";
import {
  createEventBuilder,
  createSdkClient,
  exchange,
  type SdkConfig,
  type SdkContext,
} from "./chaukas-sdk-v0.1.0.js";

const API_KEY = "ck_live_3f9a2c";
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const logLines: string[] = [];
let server: DevServer;
let proxy: RecordingProxy;

/** A TCP proxy in front of the devserver that keeps the bytes of each connection's request. */
interface RecordingProxy {
  readonly url: string;
  /** What each connection sent, in the order connections were opened. */
  readonly requests: Buffer[];
  close(): Promise<void>;
}

async function startRecordingProxy(target: URL): Promise<RecordingProxy> {
  const requests: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const listener = net.createServer((client) => {
    const index = requests.push(Buffer.alloc(0)) - 1;
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on("data", (chunk: Buffer) => {
      requests[index] = Buffer.concat([requests[index]!, chunk]);
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  const { port } = listener.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        listener.close(() => resolve());
      }),
  };
}

beforeAll(async () => {
  server = await startDevServer({
    apiKey: API_KEY,
    logger: { info: (line) => logLines.push(line), error: (line) => logLines.push(line) },
  });
  proxy = await startRecordingProxy(new URL(server.url));
});
afterAll(async () => {
  await proxy?.close();
  await server?.close();
});

function sdkConfig(overrides: Partial<SdkConfig> = {}): SdkConfig {
  return {
    endpoint: `${proxy.url}/`,
    apiKey: API_KEY,
    tenantId: "acme",
    projectId: "support-bot",
    branch: "main",
    tags: ["env:ci", "team:python"],
    ...overrides,
  };
}

/** Everything stored for a session, read back over gRPC, oldest first. */
async function storedSession(sessionId: string): Promise<Event[]> {
  const client = chaukasClient("grpc (HTTP/2)", server.url, { apiKey: API_KEY });
  const { response } = await client.queryEvents({
    query: { filter: { sessionId }, pageSize: 1000, orderByTime: SortOrder.ASC },
  });
  return response?.events ?? [];
}

/** The head of a recorded request: request line, then header lines as sent. */
function headOf(request: Buffer): { lines: string[]; body: Buffer } {
  const end = request.indexOf("\r\n\r\n");
  return {
    lines: request.subarray(0, end).toString("latin1").split("\r\n"),
    body: request.subarray(end + 4),
  };
}

describe("a realistic session posted as chaukas-sdk 0.1.0 posts it", () => {
  const context: SdkContext = { sessionId: undefined, traceId: undefined, parentSpanId: undefined };
  const built: Event[] = [];
  let client: ReturnType<typeof createSdkClient>;
  let firstRequest = 0;
  let firstLogLine = 0;

  beforeAll(async () => {
    firstRequest = proxy.requests.length;
    firstLogLine = logLines.length;
    const config = sdkConfig();
    client = createSdkClient(config);
    const b = createEventBuilder(config, context);
    const send = async (event: Event) => {
      built.push(event);
      await client.sendEvent(event);
    };
    const triage: [string, string] = ["agent-triage", "Triage"];
    const billing: [string, string] = ["agent-billing", "Billing"];

    // The openai_agents integration: SESSION_START (a root), then the session's context.
    const start = b.sessionStart({ framework: "openai_agents", agent_name: "Triage", model: null });
    await send(start);
    context.sessionId = start.sessionId;
    context.traceId = start.traceId;
    context.parentSpanId = start.spanId;
    await client.flush(); // one event queued: POST /events

    await send(b.agentStart(triage[0], triage[1], { role: "triage", tools: ["lookup_order"] }));
    await send(b.input(triage, "Where is my order #4411? I was charged twice."));
    const model1 = b.modelStart(triage, "openai", "gpt-4o-mini", [
      { role: "system", content: "You triage support requests." },
      { role: "user", content: "Where is my order #4411? I was charged twice." },
    ]);
    await send(model1);
    await send(
      b.modelEnd(triage, model1.spanId, "openai", "gpt-4o-mini", {
        content: "calling lookup_order",
        tokens: [152, 19],
      }),
    );
    const tool1 = b.toolStart(triage, "lookup_order", { order_id: "4411" }, "call_a1");
    await send(tool1);
    await send(
      b.toolEnd(triage, tool1.spanId, "call_a1", { error: "orders-db: timeout after 5s" }),
    );
    await send(b.retry(triage, 2, 400, "tool timeout"));
    const tool2 = b.toolStart(triage, "lookup_order", { order_id: "4411" }, "call_a2");
    await send(tool2);
    await send(b.toolEnd(triage, tool2.spanId, "call_a2", { output: "shipped 2025-10-02" }));
    const model2 = b.modelStart(triage, "openai", "gpt-4o-mini", [
      { role: "tool", content: "shipped 2025-10-02" },
    ]);
    await send(model2);
    await send(
      b.modelEnd(triage, model2.spanId, "openai", "gpt-4o-mini", {
        error: "Error code: 429 - rate limit reached",
      }),
    );
    await send(b.error(triage, "Error code: 429 - rate limit reached", "RATE_LIMIT"));
    const mcp = b.mcpStart(triage, "notes", "http://localhost:7000/mcp", "resources/read");
    await send(mcp);
    await send(
      b.mcpEnd(triage, mcp.spanId, "notes", "http://localhost:7000/mcp", "resources/read"),
    );
    await send(b.policy(triage, "refund-guard", "review", ["r-double-charge"]));
    await send(b.dataAccess(triage, "vector://orders", ["order-4411"], ["EMAIL"]));
    await send(b.stateUpdate(triage, { step: "handoff", order_id: "4411" }));
    await send(b.agentHandoff(triage, billing, "double charge"));
    await send(b.output(billing, "Your order shipped; the second charge is being refunded."));
    // The 20th queued event: the queue is sent as one batch.
    await send(b.system("refund requested", { ticket: "T-99" }));
    await send(b.agentEnd(triage[0], triage[1], { success: true }));
    await send(b.sessionEnd(start.spanId, { framework: "openai_agents", success: true }));
    await client.close(); // two left: one more batch
  });

  it("sends /events for the one queued event, then /events/batch for 20 and for 2, all answered 200", () => {
    expect(built).toHaveLength(23);
    expect(client.posted.map((p) => [p.path, p.events.length, p.answer.status])).toEqual([
      ["/events", 1, 200],
      ["/events/batch", 20, 200],
      ["/events/batch", 2, 200],
    ]);
    expect(client.queued).toEqual([]);
    for (const { answer } of client.posted) {
      expect(JSON.parse(answer.text)).toMatchObject({ rejected_count: 0, rejected: [] });
    }
  });

  it("writes each request as httpx does: path, headers in httpx's order, the binary request message", () => {
    const recorded = proxy.requests.slice(firstRequest);
    expect(recorded).toHaveLength(3);
    const host = new URL(proxy.url).host;
    for (const [i, request] of recorded.entries()) {
      const posted = client.posted[i]!;
      const { lines, body } = headOf(request);
      expect(lines).toEqual([
        `POST ${posted.path} HTTP/1.1`,
        `Host: ${host}`,
        "Accept: */*",
        "Accept-Encoding: gzip, deflate",
        "Connection: keep-alive",
        "User-Agent: chaukas-sdk/0.1.0",
        `Authorization: Bearer ${API_KEY}`,
        "Content-Type: application/x-protobuf",
        `Content-Length: ${body.length}`,
      ]);
      // The body is the request message, in its canonical encoding (fields in number order).
      if (posted.path === "/events") {
        const message = fromBinary(IngestEventRequestSchema, body);
        expect(equals(EventSchema, message.event!, posted.events[0]!)).toBe(true);
        expect(Buffer.from(toBinary(IngestEventRequestSchema, message)).equals(body)).toBe(true);
      } else {
        const message = fromBinary(IngestEventBatchRequestSchema, body);
        const batch = message.eventBatch!;
        expect(batch.batchId).toMatch(UUID_V7);
        expect(batch.timestamp).toBeDefined();
        expect(batch.events).toHaveLength(posted.events.length);
        for (const [j, event] of batch.events.entries()) {
          expect(equals(EventSchema, event, posted.events[j]!)).toBe(true);
        }
        expect(Buffer.from(toBinary(IngestEventBatchRequestSchema, message)).equals(body)).toBe(
          true,
        );
      }
    }
  });

  it("stores all 23 events: read back over RPC, each protobuf-equal to what was sent", async () => {
    const stored = await storedSession(context.sessionId!);
    expect(stored).toHaveLength(23);
    for (const event of built) {
      const back = stored.find((e) => e.eventId === event.eventId);
      expect(back, event.eventId).toBeDefined();
      expect(equals(EventSchema, back!, event), EventType[event.type]).toBe(true);
    }
    expect(new Set(stored.map((e) => e.type)).size).toBe(19);
  });

  it("keeps what the spec allows as sent: failed ENDs with error content, ids as UUIDv7, flat parenting", async () => {
    const stored = await storedSession(context.sessionId!);
    const failedEnds = stored.filter(
      (e) =>
        (e.type === EventType.TOOL_CALL_END || e.type === EventType.MODEL_INVOCATION_END) &&
        e.status === EventStatus.FAILED,
    );
    expect(failedEnds.map((e) => [EventType[e.type], e.content.case])).toEqual([
      ["TOOL_CALL_END", "error"],
      ["MODEL_INVOCATION_END", "error"],
    ]);
    const sessionSpan = stored[0]!.spanId;
    for (const event of stored) {
      expect(event.eventId).toMatch(UUID_V7);
      expect(event.spanId).toMatch(UUID_V7);
      const root = event.type === EventType.SESSION_START || event.type === EventType.SESSION_END;
      expect(event.parentSpanId, EventType[event.type]).toBe(root ? "" : sessionSpan);
    }
  });

  it("logs one line per request, naming its route", () => {
    const lines = logLines.slice(firstLogLine);
    expect(lines).toEqual([
      "POST /events: ingest event SESSION_START → ok",
      expect.stringMatching(/^POST \/events\/batch: ingest batch 20 events \(.*\) → ok$/),
      "POST /events/batch: ingest batch 2 events (AGENT_END, SESSION_END) → ok",
    ]);
  });
});

describe("what chaukas-sdk 0.1.0 does with the devserver's answers", () => {
  function events(sessionId: string, count: number): Event[] {
    const context: SdkContext = { sessionId, traceId: "trace-py", parentSpanId: "span-root" };
    const b = createEventBuilder(sdkConfig(), context);
    return Array.from({ length: count }, (_, i) => b.system(`step ${i}`, { step: i }));
  }

  it("a batch with invalid events: the valid ones stored, the invalid named in the answer and the log, nothing resent", async () => {
    const client = createSdkClient(sdkConfig({ batchSize: 5 }));
    const batch = events("py-partial", 5);
    batch[1]!.type = EventType.UNSPECIFIED;
    batch[3]!.eventId = "";
    const logged = logLines.length;
    for (const event of batch) await client.sendEvent(event);
    // Flushed once at 5; answered 200, so nothing is kept to resend.
    await client.close();
    expect(client.posted).toHaveLength(1);
    expect(client.queued).toEqual([]);
    const result = JSON.parse(client.posted[0]!.answer.text) as PublicIngestResult;
    expect(result).toMatchObject({ accepted_count: 3, rejected_count: 2 });
    expect(result.rejected.map((r) => [r.index, r.event_id, r.field])).toEqual([
      [1, batch[1]!.eventId, "type"],
      [3, "", "event_id"],
    ]);
    expect(await storedSession("py-partial")).toHaveLength(3);
    const line = logLines.slice(logged).join("\n");
    expect(line).toContain("POST /events/batch: ingest batch 5 events");
    expect(line).toContain(`events[1].type (event_id "${batch[1]!.eventId}") is invalid`);
    expect(line).toContain('events[3].event_id (event_id "") is invalid: required');
  });

  it("a batch over the byte limit: 503 'high memory usage', on which it sends halves; an event too large alone is refused alone", async () => {
    const batch = events("py-split", 8);
    const size = toBinary(
      IngestEventBatchRequestSchema,
      create(IngestEventBatchRequestSchema, { eventBatch: { events: batch.slice(0, 5) } }),
    ).byteLength;
    const huge = events("py-split", 1)[0]!;
    huge.content = {
      case: "message",
      value: create(MessageContentSchema, { text: "z".repeat(size) }),
    };
    server.faults.maxBatchBytes = size;
    try {
      const client = createSdkClient(sdkConfig({ batchSize: 8 }));
      for (const event of batch) await client.sendEvent(event);
      expect(client.posted.map((p) => [p.events.length, p.answer.status])).toEqual([
        [8, 503],
        [4, 200],
        [4, 200],
      ]);
      expect(client.posted[0]!.answer.text.toLowerCase()).toContain("high memory usage");
      expect(await storedSession("py-split")).toHaveLength(8);

      await client.sendEvent(huge);
      await client.close();
      expect(client.posted.at(-1)!.answer.status).toBe(200);
      const result = JSON.parse(client.posted.at(-1)!.answer.text) as PublicIngestResult;
      expect(result.rejected).toEqual([
        expect.objectContaining({ index: 0, event_id: huge.eventId, field: "event" }),
      ]);
      expect(client.queued).toEqual([]);
    } finally {
      server.faults.maxBatchBytes = undefined;
    }
  });

  it("reads the same messages as protobuf JSON, with proto or JSON field names", async () => {
    const batch = events("py-json", 3);
    for (const useProtoFieldName of [true, false]) {
      const body = toJson(
        IngestEventBatchRequestSchema,
        create(IngestEventBatchRequestSchema, { eventBatch: { batchId: "b-json", events: batch } }),
        { useProtoFieldName },
      ) as JsonObject;
      const answer = await exchange(
        proxy.url,
        Buffer.from(
          `POST /events/batch HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${API_KEY}\r\n` +
            `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(JSON.stringify(body))}\r\n\r\n` +
            JSON.stringify(body),
        ),
      );
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toMatchObject({ batch_id: "b-json", accepted_count: 3 });
    }
    const stored = await storedSession("py-json");
    expect(stored).toHaveLength(3);
    for (const event of batch) {
      expect(equals(EventSchema, stored.find((e) => e.eventId === event.eventId)!, event)).toBe(
        true,
      );
    }
  });

  it("a wrong API key: 401 with a reason (the SDK keeps the batch; the key must be fixed)", async () => {
    const client = createSdkClient(sdkConfig({ apiKey: "ck_wrong" }));
    await client.sendEvent(events("py-auth", 1)[0]!);
    await client.flush();
    expect(client.posted[0]!.answer.status).toBe(401);
    expect(client.posted[0]!.answer.text).toContain("the API key is not valid");
    expect(client.queued).toHaveLength(1);
  });
});
