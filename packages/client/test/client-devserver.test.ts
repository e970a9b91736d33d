import { equals } from "@bufbuild/protobuf";
import {
  type ChaukasClient,
  type ChaukasClientOptions,
  createChaukasClient,
} from "@chaukas/client";
import { contentHash, createIntegrityChain, verifyChain } from "@chaukas/client/integrity";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { type Event, EventSchema, EventStatus, EventType } from "@chaukas/spec/common/v1";
import { createNodeTransport } from "@chaukas/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let server: DevServer;

beforeAll(async () => {
  server = await startDevServer({ port: 0 });
});

afterAll(async () => {
  await server.close();
});

function client(options: Partial<ChaukasClientOptions> = {}): {
  chaukas: ChaukasClient;
  sent: Event[];
} {
  const sent: Event[] = [];
  const chaukas = createChaukasClient({
    transport: createNodeTransport({ baseUrl: server.url, protocol: "connect" }),
    tenantId: "acme",
    projectId: `it-${Math.random().toString(36).slice(2)}`,
    flushIntervalMs: 20,
    // Records exactly what leaves the SDK, to compare with what the backend returns.
    beforeSend: (event) => {
      sent.push(event);
      return event;
    },
    ...options,
  });
  return { chaukas, sent };
}

async function queryAll(chaukas: ChaukasClient, sessionId: string): Promise<Event[]> {
  const events: Event[] = [];
  for await (const event of chaukas.query({ sessionId }, { order: "asc", pageSize: 7 })) {
    events.push(event);
  }
  return events;
}

/** One session using every builder: all 19 event types. */
function runFullSession(chaukas: ChaukasClient, traceparent?: string) {
  const session = chaukas.startSession({
    agentId: "planner",
    agentName: "Planner",
    tags: ["it"],
    ...(traceparent === undefined ? {} : { traceparent }),
  });
  session.inputReceived({ text: "What is the refund policy?" });
  const agent = session.agentStart({ agentId: "researcher", agentName: "Researcher" });
  const model = agent.modelInvocationStart({
    provider: "openai",
    model: "gpt-4o-mini",
    request: { messages: [{ role: "user", content: "refund policy" }], n: 1 },
    temperature: 0.2,
  });
  model.end({
    promptTokens: 812,
    completionTokens: 95,
    finishReason: "stop",
    response: { choices: [{ text: "search" }] },
    cost: { totalCost: 0.0012, currency: "USD" },
  });
  const tool = agent.toolCallStart({ name: "search", arguments: { q: "refund policy", k: 3 } });
  tool.end({ output: { hits: 3 } });
  const mcp = agent.mcpCallStart({ serverName: "docs", operation: "resources/read" });
  mcp.end({ response: { contents: ["policy.md"] } });
  agent.retry({ attempt: 2, backoffMs: 200, reason: new Error("429 from search") });
  agent.handoff({ toAgentId: "writer", toAgentName: "Writer", reason: "needs drafting" });
  agent.policyDecision({ policyId: "pii", outcome: "allow", ruleIds: ["r1"], rationale: "ok" });
  agent.dataAccess({ datasource: "vector://policies", documentIds: ["d1"], piiCategories: [] });
  agent.stateUpdate({ step: "drafting", progress: 0.5 });
  agent.error({ message: "draft too long", code: "E_LEN", recoverable: true });
  session.system("context window trimmed");
  session.outputEmitted({ text: "Refunds within 30 days." });
  agent.end();
  session.end();
  return session;
}

describe("client against the local backend", () => {
  it("delivers a full session of all 19 event types field-for-field", async () => {
    const { chaukas, sent } = client();
    const session = runFullSession(chaukas);
    const flushed = await chaukas.flush();
    expect(flushed).toEqual({ completed: true, pending: 0 });

    const stored = await queryAll(chaukas, session.id);
    expect(new Set(stored.map((e) => e.type)).size).toBe(19);
    expect(stored).toHaveLength(sent.length);
    const byId = new Map(stored.map((e) => [e.eventId, e]));
    for (const event of sent) {
      const back = byId.get(event.eventId);
      expect(back, EventType[event.type]).toBeDefined();
      expect(equals(EventSchema, back!, event), EventType[event.type]).toBe(true);
    }
    // Ascending time with event_id ties is emission order: UUIDv7 ids are monotonic.
    expect(stored.map((e) => e.eventId)).toEqual(sent.map((e) => e.eventId));
    expect(chaukas.stats()).toMatchObject({ emitted: 19, sent: 19, failed: 0, queued: 0 });
    await chaukas.shutdown();
  });

  it("pages and filters queries by type, status and time", async () => {
    const { chaukas } = client();
    const session = runFullSession(chaukas);
    await chaukas.flush();

    const page1 = await chaukas.queryPage({ sessionId: session.id }, { pageSize: 5, order: "asc" });
    expect(page1.events).toHaveLength(5);
    expect(page1.nextPageToken).not.toBe("");
    const page2 = await chaukas.queryPage(
      { sessionId: session.id },
      { pageSize: 5, order: "asc", pageToken: page1.nextPageToken },
    );
    expect(page2.events[0]!.eventId > page1.events[4]!.eventId).toBe(true);

    const tools: Event[] = [];
    for await (const e of chaukas.query({
      sessionId: session.id,
      types: ["TOOL_CALL_START", "EVENT_TYPE_TOOL_CALL_END", EventType.MCP_CALL_END],
    })) {
      tools.push(e);
    }
    expect(tools.map((e) => e.type).sort()).toEqual(
      [EventType.TOOL_CALL_START, EventType.TOOL_CALL_END, EventType.MCP_CALL_END].sort(),
    );

    const failed: Event[] = [];
    for await (const e of chaukas.query({ sessionId: session.id, statuses: ["FAILED"] })) {
      failed.push(e);
    }
    expect(failed.map((e) => e.type)).toEqual([EventType.ERROR]);

    const future: Event[] = [];
    for await (const e of chaukas.query({
      sessionId: session.id,
      time: { start: new Date(Date.now() + 3_600_000) },
    })) {
      future.push(e);
    }
    expect(future).toEqual([]);

    // Another project of the same tenant sees nothing of this session.
    const other: Event[] = [];
    for await (const e of chaukas.query({ sessionId: session.id, projectId: "elsewhere" })) {
      other.push(e);
    }
    expect(other).toEqual([]);
    await chaukas.shutdown();
  });

  it("continues a remote trace from a traceparent header", async () => {
    const { chaukas } = client();
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const session = runFullSession(chaukas, `00-${traceId}-00f067aa0ba902b7-01`);
    await chaukas.flush();
    const stored = await queryAll(chaukas, session.id);
    expect(stored.every((e) => e.traceId === traceId)).toBe(true);
    const start = stored.find((e) => e.type === EventType.SESSION_START)!;
    expect(start.parentSpanId).toBe("00f067aa0ba902b7");
    expect(session.traceparent()).toBe(`00-${traceId}-${session.spanId}-01`);
    const byTrace: Event[] = [];
    for await (const e of chaukas.query({ traceId })) byTrace.push(e);
    expect(byTrace.length).toBeGreaterThanOrEqual(19);
    await chaukas.shutdown();
  });

  it("chains a session with integrity and reports a tampered event at its index", async () => {
    const { chaukas } = client({ integrity: createIntegrityChain() });
    const session = runFullSession(chaukas);
    await chaukas.flush();
    const stored = await queryAll(chaukas, session.id);
    expect(stored).toHaveLength(19);
    expect(stored.every((e) => /^[0-9a-f]{64}$/.test(e.contentHash))).toBe(true);
    expect(stored[0]!.hashPrev).toBe("");
    expect(await verifyChain(stored)).toEqual({ ok: true });

    const tampered = stored.map((e) => e);
    const modelEnd = tampered.findIndex((e) => e.type === EventType.MODEL_INVOCATION_END);
    const altered = { ...tampered[modelEnd]!, status: EventStatus.FAILED } as Event;
    tampered[modelEnd] = altered;
    expect(await verifyChain(tampered)).toMatchObject({
      ok: false,
      index: modelEnd,
      eventId: altered.eventId,
    });

    const withoutOne = stored.filter((_, i) => i !== 5);
    expect(await verifyChain(withoutOne)).toMatchObject({ ok: false, index: 5 });
    expect(await verifyChain(stored.slice(3), { previousHash: stored[2]!.contentHash })).toEqual({
      ok: true,
    });
    expect(await contentHash(stored[4]!)).toBe(stored[4]!.contentHash);
    await chaukas.shutdown();
  });

  it("answers capabilities (cached) and healthz", async () => {
    const { chaukas } = client();
    await chaukas.healthz();
    const first = await chaukas.capabilities();
    const second = await chaukas.capabilities();
    expect(second).toBe(first);
    await chaukas.shutdown();
  });
});
