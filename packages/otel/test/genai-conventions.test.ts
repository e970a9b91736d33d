import { type ChaukasClient, createChaukasClient } from "@chaukas/client";
import { type Event, EventStatus } from "@chaukas/spec/common/v1";
import { type Attributes, context, type Span, SpanStatusCode, trace } from "@opentelemetry/api";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { type ChaukasSpanProcessorOptions, createChaukasSpanProcessor } from "../src/index.js";
import { createEventSink, typeName } from "./event-sink.js";

/** A tracer feeding the processor; spans are parented explicitly, so no context manager. */
function setUp(options?: ChaukasSpanProcessorOptions, chaukas?: ChaukasClient) {
  const sink = createEventSink();
  const processor = createChaukasSpanProcessor(chaukas ?? sink.chaukas, options);
  const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer("app");
  const start = (name: string, attributes: Attributes, parent?: Span) =>
    tracer.startSpan(
      name,
      { attributes },
      parent ? trace.setSpan(context.active(), parent) : context.active(),
    );
  return { ...sink, processor, start };
}

const idOf = (span: Span) => span.spanContext().spanId;
const on = (events: Event[], span: Span) => events.filter((e) => e.spanId === idOf(span));

describe("GenAI semantic conventions", () => {
  it("maps agents, model calls and tools, nesting through an HTTP span, into the conversation's session", async () => {
    const { start, events, processor } = setUp();
    const agent = start("invoke_agent support", {
      "gen_ai.operation.name": "invoke_agent",
      "gen_ai.agent.id": "agent-7",
      "gen_ai.agent.name": "support",
      "gen_ai.conversation.id": "conv-9",
    });
    const http = start("POST /v1/chat/completions", { "http.request.method": "POST" }, agent);
    const chat = start(
      "chat gpt-4o",
      {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.request.temperature": 0.2,
        "gen_ai.request.max_tokens": 256,
        "gen_ai.input.messages": JSON.stringify([
          { role: "user", parts: [{ type: "text", content: "Where is my order?" }] },
        ]),
      },
      http,
    );
    chat.setAttributes({
      "gen_ai.response.model": "gpt-4o-2024-08-06",
      "gen_ai.response.id": "chatcmpl-1",
      "gen_ai.response.finish_reasons": ["stop"],
      "gen_ai.usage.input_tokens": 120,
      "gen_ai.usage.output_tokens": 30,
      "gen_ai.usage.cache_read.input_tokens": 100,
      "gen_ai.usage.reasoning.output_tokens": 12,
      "gen_ai.output.messages": JSON.stringify([
        { role: "assistant", parts: [{ type: "text", content: "In transit." }] },
      ]),
    });
    chat.end();
    http.end();
    const tool = start(
      "execute_tool lookup_order",
      {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "lookup_order",
        "gen_ai.tool.call.id": "call_42",
        "gen_ai.tool.call.arguments": JSON.stringify({ order: "A-1" }),
      },
      agent,
    );
    tool.recordException(Object.assign(new TypeError("order service down"), { stack: "at x" }));
    tool.setStatus({ code: SpanStatusCode.ERROR, message: "order service down" });
    tool.end();
    agent.end();

    const all = await events();
    expect(all.map(typeName)).toEqual([
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "TOOL_CALL_START",
      "ERROR",
      "TOOL_CALL_END",
      "AGENT_START",
      "AGENT_END",
    ]);
    const traceId = agent.spanContext().traceId;
    for (const event of all) {
      expect(event.sessionId).toBe("conv-9");
      expect(event.traceId).toBe(traceId);
      expect(event.agentId).toBe("agent-7");
      expect(event.agentName).toBe("support");
    }
    // The HTTP span has no events; the model call is the agent's child through it.
    expect(all.some((e) => e.spanId === idOf(http))).toBe(false);
    const [chatStart, chatEnd] = on(all, chat);
    expect(chatStart!.parentSpanId).toBe(idOf(agent));
    expect(chatStart!.content.value).toMatchObject({
      provider: "openai",
      model: "gpt-4o",
      temperature: 0.2,
      maxTokens: 256,
      request: { messages: [{ role: "user", parts: [{ content: "Where is my order?" }] }] },
    });
    expect(chatEnd!.content.value).toMatchObject({
      promptTokens: 120,
      completionTokens: 30,
      totalTokens: 150,
      finishReason: "stop",
      response: { messages: [{ role: "assistant", parts: [{ content: "In transit." }] }] },
    });
    expect(chatEnd!.responseId).toBe("chatcmpl-1");
    expect(chatEnd!.metadata).toMatchObject({
      usage: { cache_read_input_tokens: 100, reasoning_output_tokens: 12 },
      response_model: "gpt-4o-2024-08-06",
    });

    const [toolStart, toolEnd] = on(all, tool);
    expect(toolStart!.parentSpanId).toBe(idOf(agent));
    expect(toolStart!.content.value).toMatchObject({
      id: "call_42",
      name: "lookup_order",
      arguments: { order: "A-1" },
    });
    expect(toolEnd!.status).toBe(EventStatus.FAILED);
    expect(toolEnd!.content.value).toMatchObject({ errorMessage: "order service down" });
    const error = all.find((e) => typeName(e) === "ERROR")!;
    expect(error.parentSpanId).toBe(idOf(tool));
    expect(error.content.value).toMatchObject({
      errorMessage: "order service down",
      errorCode: "TypeError",
      stackTrace: "at x",
    });

    const [agentStart, agentEnd] = on(all, agent);
    expect(agentStart!.parentSpanId).toBe("");
    expect(agentEnd!.status).toBe(EventStatus.COMPLETED);
    expect(processor.stats()).toMatchObject({ mappedSpans: 3, failed: 0, openSpans: 0 });
  });

  it("reads the deprecated names (gen_ai.system, prompt and completion tokens) and starts a session for a root span without one", async () => {
    const { start, events } = setUp();
    const root = start("invoke_agent planner", {
      "gen_ai.operation.name": "create_agent",
      "gen_ai.agent.name": "planner",
    });
    const db = start("SELECT orders", { "db.system.name": "postgresql" }, root);
    const chat = start(
      "chat claude",
      {
        "gen_ai.system": "anthropic",
        "gen_ai.request.model": "claude-sonnet",
        "gen_ai.usage.prompt_tokens": 11,
        "gen_ai.usage.completion_tokens": 4,
      },
      db,
    );
    chat.end();
    db.end();
    root.setStatus({ code: SpanStatusCode.ERROR, message: "planner gave up" });
    root.end();

    const all = await events();
    expect(all.map(typeName)).toEqual([
      "SESSION_START",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "AGENT_START",
      "ERROR",
      "AGENT_END",
      "SESSION_END",
    ]);
    const session = all[0]!;
    expect(session.traceId).toBe(root.spanContext().traceId);
    const [chatStart, chatEnd] = on(all, chat);
    expect(chatStart!.parentSpanId).toBe(idOf(root));
    expect(chatStart!.agentId).toBe("planner");
    expect(chatStart!.content.value).toMatchObject({
      provider: "anthropic",
      model: "claude-sonnet",
    });
    expect(chatEnd!.content.value).toMatchObject({ promptTokens: 11, completionTokens: 4 });
    const [agentStart] = on(all, root);
    expect(agentStart!.parentSpanId).toBe(session.spanId);
    expect(all.find((e) => typeName(e) === "ERROR")!.content.value).toMatchObject({
      errorMessage: "planner gave up",
    });
    expect(all.at(-1)!.status).toBe(EventStatus.FAILED);
    for (const event of all) expect(event.sessionId).toBe(session.sessionId);
  });

  it("keeps an error's message out without recordOutputs, and its type in", async () => {
    const { start, events } = setUp({ recordOutputs: false });
    const tool = start("execute_tool charge", {
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "charge",
      "gen_ai.conversation.id": "c",
      "gen_ai.tool.call.result": JSON.stringify({ card: "4242" }),
    });
    tool.recordException(new RangeError("card 4242 declined"));
    tool.setStatus({ code: SpanStatusCode.ERROR });
    tool.end();
    const text = JSON.stringify((await events()).map((e) => e.content.value));
    expect(text).not.toContain("4242");
    expect(text).toContain("RangeError");
  });

  it("never throws into the tracer: a client that refuses is counted and told", async () => {
    const told: unknown[] = [];
    const refusing = createChaukasClient({
      tenantId: "acme",
      projectId: "otel",
      exporter: { export: async () => {} },
    });
    refusing.continueSession = () => {
      throw new Error("refused");
    };
    const { start, processor } = setUp({ onError: (_error, info) => told.push(info) }, refusing);
    const chat = start("chat", {
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": "m",
      "gen_ai.conversation.id": "c",
    });
    expect(() => chat.end()).not.toThrow();
    expect(processor.stats().failed).toBe(1);
    expect(told).toEqual([{ hook: "onEnd", spanName: "chat" }]);
    await expect(processor.forceFlush()).resolves.toBeUndefined();
    await expect(processor.shutdown()).resolves.toBeUndefined();
  });
});
