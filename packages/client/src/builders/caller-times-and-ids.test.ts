import { timestampDate } from "@bufbuild/protobuf/wkt";
import { type Event, EventType } from "@chaukas/spec/common/v1";
import { describe, expect, it } from "vitest";
import { validateBuiltEvent } from "../validation/event-validation.js";
import { ChaukasValidationError } from "../validation/validation-error.js";
import { startSessionSpan } from "./scope.js";
import type { ScopeRuntime } from "./scope-runtime.js";
import { createStackContextManager } from "./stack-context-manager.js";

function runtime(): ScopeRuntime & { events: Event[] } {
  const events: Event[] = [];
  return {
    events,
    defaults: { tenantId: "acme", projectId: "bot", branch: "", tags: [] },
    contextManager: createStackContextManager(),
    submit(event) {
      validateBuiltEvent(event);
      events.push(event);
    },
  };
}

const ms = (event: Event | undefined) => timestampDate(event!.timestamp!).getTime();
const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 600);

describe("builders take the caller's times and ids", () => {
  it("a session with the caller's trace, session and span ids, start and end times", () => {
    const rt = runtime();
    const session = startSessionSpan(
      rt,
      {
        sessionId: "sess-1",
        traceId: "a".repeat(32),
        spanId: "b".repeat(16),
        startTime: new Date(T0),
      },
      undefined,
    );
    session.end({ endTime: T0 + 1500 });
    const [start, end] = rt.events;
    expect(start).toMatchObject({
      sessionId: "sess-1",
      traceId: "a".repeat(32),
      spanId: "b".repeat(16),
      parentSpanId: "",
    });
    expect(ms(start)).toBe(T0);
    expect(end?.spanId).toBe("b".repeat(16));
    expect(ms(end)).toBe(T0 + 1500);
    expect(end?.performance?.durationMs).toBe(1500);
  });

  it("every span kind takes startTime, spanId and endTime; durations come from them", () => {
    const rt = runtime();
    const session = startSessionSpan(rt, {}, undefined);
    const agent = session.agentStart({ agentId: "a", startTime: T0, spanId: "1".repeat(16) });
    const model = agent.modelInvocationStart({
      provider: "openai",
      model: "m",
      startTime: T0 + 10,
      spanId: "2".repeat(16),
    });
    model.end({ endTime: new Date(T0 + 260), promptTokens: 1 });
    const tool = agent.toolCallStart({ name: "t", startTime: T0 + 300, spanId: "3".repeat(16) });
    tool.fail(new Error("boom"), { endTime: T0 + 345 });
    const mcp = agent.mcpCallStart({
      serverName: "s",
      operation: "tools/call",
      startTime: "2026-01-02T03:04:06Z",
    });
    mcp.end({ endTime: "2026-01-02T03:04:06.250Z" });
    agent.end({ endTime: T0 + 2000 });
    const byType = new Map(rt.events.map((e) => [e.type, e]));
    expect(byType.get(EventType.AGENT_START)?.spanId).toBe("1".repeat(16));
    const modelStart = byType.get(EventType.MODEL_INVOCATION_START)!;
    const modelEnd = byType.get(EventType.MODEL_INVOCATION_END)!;
    expect(modelStart.spanId).toBe("2".repeat(16));
    expect(modelStart.parentSpanId).toBe("1".repeat(16));
    expect(ms(modelStart)).toBe(T0 + 10);
    expect(ms(modelEnd)).toBe(T0 + 260);
    const llm = modelEnd.content.value as {
      durationMs: number;
      startTime: unknown;
      endTime: unknown;
    };
    expect(llm.durationMs).toBe(250);
    expect(timestampDate(llm.endTime as never).getTime()).toBe(T0 + 260);
    expect(timestampDate(llm.startTime as never).getTime()).toBe(T0 + 10);
    const toolEnd = byType.get(EventType.TOOL_CALL_END)!;
    expect(toolEnd.spanId).toBe("3".repeat(16));
    expect((toolEnd.content.value as { executionTimeMs: number }).executionTimeMs).toBe(45);
    const mcpEnd = byType.get(EventType.MCP_CALL_END)!;
    expect((mcpEnd.content.value as { executionTimeMs: number }).executionTimeMs).toBe(250);
    expect(byType.get(EventType.AGENT_END)?.performance?.durationMs).toBe(2000);
  });

  it("a start time alone measures the duration up to now on the wall clock", () => {
    const rt = runtime();
    const session = startSessionSpan(rt, {}, undefined);
    const before = Date.now();
    session.toolCallStart({ name: "t", startTime: before - 5000 }).end();
    const end = rt.events.at(-1)!;
    expect(
      (end.content.value as { executionTimeMs: number }).executionTimeMs,
    ).toBeGreaterThanOrEqual(5000);
  });

  it("every point event takes time and spanId", () => {
    const rt = runtime();
    const session = startSessionSpan(rt, {}, undefined);
    const at = { time: T0, spanId: "c".repeat(16) };
    session.inputReceived({ text: "hi", ...at });
    session.outputEmitted({ text: "bye", ...at });
    session.retry({ attempt: 2, ...at });
    session.handoff({ toAgentId: "b", ...at });
    session.policyDecision({ policyId: "p", outcome: "allow", ...at });
    session.dataAccess({ datasource: "d", ...at });
    session.stateUpdate({ a: 1 }, at);
    session.error(new Error("x"), at);
    session.system({ message: "s", ...at });
    const points = rt.events.slice(1);
    expect(points).toHaveLength(9);
    for (const event of points) {
      expect(ms(event)).toBe(T0);
      expect(event.spanId).toBe("c".repeat(16));
      expect(event.parentSpanId).toBe(session.spanId);
    }
  });

  it.each([
    ["startTime", () => ({ name: "t", startTime: "yesterday" })],
    ["startTime", () => ({ name: "t", startTime: Number.NaN })],
    ["startTime", () => ({ name: "t", startTime: new Date("x") })],
    ["startTime", () => ({ name: "t", startTime: -1 })],
    ["span_id", () => ({ name: "t", spanId: "ABCDEF0123456789" })],
    ["span_id", () => ({ name: "t", spanId: "0".repeat(16) })],
    ["span_id", () => ({ name: "t", spanId: "abc" })],
  ])("a bad %s is a ChaukasValidationError naming it, and nothing is queued", (field, input) => {
    const rt = runtime();
    const session = startSessionSpan(rt, {}, undefined);
    const error = (() => {
      try {
        session.toolCallStart(input() as never);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ChaukasValidationError);
    expect((error as ChaukasValidationError).field).toBe(field);
    expect(rt.events).toHaveLength(1);
  });

  it("a bad endTime throws, sends nothing, and leaves the span open for a good one", () => {
    const rt = runtime();
    const tool = startSessionSpan(rt, {}, undefined).toolCallStart({ name: "t" });
    expect(() => tool.end({ endTime: "never" })).toThrow(/endTime/);
    expect(tool.ended).toBe(false);
    tool.end({ endTime: Date.now() });
    expect(tool.ended).toBe(true);
    expect(rt.events.map((e) => e.type)).toEqual([
      EventType.SESSION_START,
      EventType.TOOL_CALL_START,
      EventType.TOOL_CALL_END,
    ]);
  });

  it("a bad trace id or point time names its field", () => {
    const rt = runtime();
    expect(() => startSessionSpan(rt, { traceId: "x".repeat(32) }, undefined)).toThrow(
      expect.objectContaining({ field: "trace_id" }),
    );
    const session = startSessionSpan(rt, {}, undefined);
    expect(() => session.inputReceived({ text: "hi", time: "soon" })).toThrow(
      expect.objectContaining({ field: "time" }),
    );
  });
});
