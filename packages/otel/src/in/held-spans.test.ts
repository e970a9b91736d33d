import { type Attributes, context, type Span, trace } from "@opentelemetry/api";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { createEventSink, typeName } from "../../test/event-sink.js";
import { createChaukasSpanProcessor } from "./chaukas-span-processor.js";
import { HeldSpans } from "./held-spans.js";
import type { ChaukasSpanProcessorOptions } from "./span-processor-options.js";

/**
 * Spans as Mastra's bridge makes them: started with a name alone under the tracer
 * "@mastra/otel-bridge", described (`gen_ai.*`) just before they end.
 */
function setUp(options?: ChaukasSpanProcessorOptions) {
  const sink = createEventSink();
  const processor = createChaukasSpanProcessor(sink.chaukas, options);
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  const tracers = {
    mastra: provider.getTracer("@mastra/otel-bridge"),
    app: provider.getTracer("app"),
  };
  const start = (tracer: keyof typeof tracers, name: string, parent?: Span, attributes = {}) =>
    tracers[tracer].startSpan(
      name,
      { attributes },
      parent ? trace.setSpan(context.active(), parent) : context.active(),
    );
  const end = (span: Span, attributes: Attributes) => {
    span.setAttributes(attributes);
    span.end();
  };
  return { ...sink, processor, start, end };
}

const agentAttributes = {
  "gen_ai.operation.name": "invoke_agent",
  "gen_ai.agent.id": "a-1",
  "gen_ai.agent.name": "Agent",
};
const toolAttributes = { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "lookup" };

describe("spans described only at their end (Mastra)", () => {
  it("hold their descendants' events until they end, then place them children first", async () => {
    const { start, end, events, processor } = setUp();
    const agent = start("mastra", "agent run: 'a-1'");
    const http = start("app", "GET /lookup", agent);
    const tool = start("mastra", "tool: 'lookup'", http);
    end(tool, toolAttributes);
    http.end();
    expect(processor.stats().heldSpans).toBe(1);
    expect(await events()).toEqual([]);

    end(agent, agentAttributes);
    const all = await events();
    expect(all.map(typeName)).toEqual([
      "SESSION_START",
      "TOOL_CALL_START",
      "TOOL_CALL_END",
      "AGENT_START",
      "AGENT_END",
      "SESSION_END",
    ]);
    // Placed as the agent describes itself: under it, with its agent, through the HTTP span.
    expect(all[1]!.parentSpanId).toBe(agent.spanContext().spanId);
    expect(all[1]!.agentId).toBe("a-1");
    expect(processor.stats()).toMatchObject({ heldSpans: 0, openSessions: 0, failed: 0 });
  });

  it("spans of other tracers, described from their start, are placed as they end", async () => {
    const { start, end, events, processor } = setUp();
    const agent = start("app", "invoke_agent", undefined, agentAttributes);
    end(start("app", "execute_tool", agent), toolAttributes);
    expect(processor.stats().heldSpans).toBe(0);
    const all = await events();
    expect(all.map(typeName)).toEqual(["SESSION_START", "TOOL_CALL_START", "TOOL_CALL_END"]);
    expect(all[1]!.parentSpanId).toBe(agent.spanContext().spanId);
    end(agent, {});
  });

  it("beyond maxOpenSpans held, a span is placed at once with what its ancestors say so far", async () => {
    const { start, end, events, processor } = setUp({ maxOpenSpans: 3 });
    const agent = start("mastra", "agent run: 'a-1'");
    for (let i = 0; i < 4; i++) end(start("mastra", `tool ${i}`, agent), toolAttributes);
    expect(processor.stats().heldSpans).toBe(3);
    // The fourth had no room: its own session, since nothing said its parent was an agent.
    expect((await events()).map(typeName)).toEqual([
      "SESSION_START",
      "TOOL_CALL_START",
      "TOOL_CALL_END",
      "SESSION_END",
    ]);
    end(agent, agentAttributes);
    expect((await events()).filter((e) => typeName(e) === "TOOL_CALL_START")).toHaveLength(4);
    expect(processor.stats().heldSpans).toBe(0);
  });

  it("shutdown places what still waits for a span that never ended; nothing accepted is lost", async () => {
    const { start, end, events, processor } = setUp();
    const agent = start("mastra", "agent run: 'a-1'");
    end(start("mastra", "tool: 'lookup'", agent), toolAttributes);
    expect(processor.stats().heldSpans).toBe(1);
    await processor.shutdown();
    expect((await events()).map(typeName)).toContain("TOOL_CALL_START");
    expect(processor.stats().heldSpans).toBe(0);
  });
});

describe("HeldSpans", () => {
  const held = (name: string) => ({ name }) as never;

  it("releases per ancestor in end order, counts what it holds, and refuses beyond its limit", () => {
    const spans = new HeldSpans(3);
    expect(spans.hold("a", held("1"))).toBe(true);
    expect(spans.hold("b", held("2"))).toBe(true);
    expect(spans.hold("a", held("3"))).toBe(true);
    expect(spans.hold("a", held("4"))).toBe(false);
    expect(spans.size).toBe(3);
    expect(spans.release("a")).toEqual([held("1"), held("3")]);
    expect(spans.release("a")).toEqual([]);
    expect(spans.size).toBe(1);
    expect(spans.releaseAll()).toEqual([held("2")]);
    expect(spans.size).toBe(0);
  });
});
