// Handle methods passed around as plain functions, the way agent code hands them to promises
// and callbacks, against the local backend over a real gRPC transport.
import { type ChaukasClient, createChaukasClient } from "@chaukas/client";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { type Event, EventStatus, EventType } from "@chaukas/spec/common/v1";
import { createNodeTransport } from "@chaukas/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let server: DevServer;
let chaukas: ChaukasClient;
const errors: unknown[] = [];

beforeAll(async () => {
  server = await startDevServer({ port: 0 });
  chaukas = createChaukasClient({
    transport: createNodeTransport({ baseUrl: server.url, protocol: "grpc" }),
    tenantId: "acme",
    projectId: "detached-handles",
    onError: (error) => errors.push(error),
  });
});

afterAll(async () => {
  await chaukas.shutdown();
  await server.close();
});

async function storedSession(sessionId: string): Promise<Event[]> {
  const flushed = await chaukas.flush();
  expect(flushed).toEqual({ completed: true, pending: 0 });
  const events: Event[] = [];
  for await (const event of chaukas.query({ sessionId }, { order: "asc" })) events.push(event);
  return events;
}

describe("handle methods used detached", () => {
  it("promise.then(tool.end, tool.fail) and const end = model.end; end() deliver their END events", async () => {
    const session = chaukas.startSession({ agentId: "planner" });
    const tool = session.toolCallStart({ name: "search", arguments: { q: "refunds" } });
    const failingTool = session.toolCallStart({ name: "lookup" });
    const model = session.modelInvocationStart({ provider: "openai", model: "gpt-4o-mini" });

    await Promise.resolve({ output: { hits: 3 } }).then(tool.end, tool.fail);
    await Promise.reject(new Error("lookup timed out")).then(failingTool.end, failingTool.fail);
    const end = model.end;
    end({ promptTokens: 5, completionTokens: 2 });
    const { end: endSession } = session;
    endSession();

    const events = await storedSession(session.id);
    const ends = (type: EventType) => events.filter((e) => e.type === type);
    expect(ends(EventType.TOOL_CALL_END).map((e) => [e.spanId, e.status])).toEqual([
      [tool.spanId, EventStatus.COMPLETED],
      [failingTool.spanId, EventStatus.FAILED],
    ]);
    const [modelEnd] = ends(EventType.MODEL_INVOCATION_END);
    expect(modelEnd?.spanId).toBe(model.spanId);
    expect(modelEnd?.content.case === "llmInvocation" && modelEnd.content.value.totalTokens).toBe(
      7,
    );
    expect(ends(EventType.SESSION_END)).toHaveLength(1);
    expect([tool.ended, failingTool.ended, model.ended, session.ended]).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(errors).toEqual([]);
  });

  it("builders destructured from a handle emit under that handle's span", async () => {
    const session = chaukas.startSession({ agentId: "planner" });
    const { agentStart, inputReceived } = session;
    inputReceived("hello");
    const agent = agentStart({ agentId: "researcher" });
    const { toolCallStart, end: endAgent } = agent;
    const { end: endTool } = toolCallStart({ name: "search" });
    endTool();
    endAgent();
    session.end();

    const events = await storedSession(session.id);
    const byType = new Map(events.map((e) => [e.type, e]));
    expect(byType.get(EventType.INPUT_RECEIVED)?.parentSpanId).toBe(session.spanId);
    expect(byType.get(EventType.AGENT_START)?.parentSpanId).toBe(session.spanId);
    expect(byType.get(EventType.TOOL_CALL_START)).toMatchObject({
      parentSpanId: agent.spanId,
      agentId: "researcher",
    });
    expect(byType.get(EventType.TOOL_CALL_END)?.status).toBe(EventStatus.COMPLETED);
    expect(byType.get(EventType.AGENT_END)?.spanId).toBe(agent.spanId);
    expect(errors).toEqual([]);
  });
});
