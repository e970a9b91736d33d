import type { Event } from "@chaukas/spec/common/v1";
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { generateText, jsonSchema, stepCountIs, streamText, tool } from "ai";
import { MockLanguageModelV3, simulateReadableStream } from "ai/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChaukasSpanProcessor } from "../src/index.js";
import { createEventSink, typeName } from "./event-sink.js";

// The AI SDK nests its spans with `context.active()`: the application registers a context
// manager, as `@vercel/otel` or the Node SDK do. The processor itself registers nothing.
const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});

const usage = {
  inputTokens: { total: 10, noCache: 7, cacheRead: 3, cacheWrite: 0 },
  outputTokens: { total: 5, text: 3, reasoning: 2 },
};

/** What a mocked model's stream yields. */
type StreamPart =
  Awaited<ReturnType<MockLanguageModelV3["doStream"]>>["stream"] extends ReadableStream<infer P>
    ? P
    : never;

/** A model that asks for the weather tool, then answers "Sunny" (streamed: "Snow"). */
function scriptedModel() {
  let step = 0;
  return new MockLanguageModelV3({
    doGenerate: async () =>
      step++ === 0
        ? {
            content: [
              {
                type: "tool-call",
                toolCallId: "call-1",
                toolName: "weather",
                input: JSON.stringify({ city: "Paris" }),
              },
            ],
            finishReason: { unified: "tool-calls", raw: "tool_calls" },
            usage,
            warnings: [],
            response: { id: "resp-1", modelId: "mock-1", timestamp: new Date(0) },
          }
        : {
            content: [{ type: "text", text: "Sunny" }],
            finishReason: { unified: "stop", raw: "stop" },
            usage,
            warnings: [],
            response: { id: "resp-2", modelId: "mock-1", timestamp: new Date(0) },
          },
    doStream: async () => {
      const first = step++ === 0;
      return {
        stream: simulateReadableStream<StreamPart>({
          chunks: first
            ? [
                { type: "stream-start", warnings: [] },
                {
                  type: "tool-call",
                  toolCallId: "call-2",
                  toolName: "weather",
                  input: JSON.stringify({ city: "Oslo" }),
                },
                {
                  type: "finish",
                  finishReason: { unified: "tool-calls", raw: "tool_calls" },
                  usage,
                },
              ]
            : [
                { type: "stream-start", warnings: [] },
                { type: "text-start", id: "t" },
                { type: "text-delta", id: "t", delta: "Snow" },
                { type: "text-end", id: "t" },
                { type: "finish", finishReason: { unified: "stop", raw: "stop" }, usage },
              ],
        }),
      };
    },
  });
}

const weather = tool({
  description: "The weather in a city",
  inputSchema: jsonSchema<{ city: string }>({
    type: "object",
    properties: { city: { type: "string" } },
  }),
  execute: async ({ city }) => ({ city, sky: city === "Oslo" ? "snow" : "sunny" }),
});

function setUp(options?: Parameters<typeof createChaukasSpanProcessor>[1]) {
  const sink = createEventSink();
  const spans = new InMemorySpanExporter();
  const processor = createChaukasSpanProcessor(sink.chaukas, options);
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(spans), processor],
  });
  return { ...sink, spans, processor, provider, tracer: provider.getTracer("ai") };
}

const byName = (spans: ReadableSpan[], name: string) => spans.filter((span) => span.name === name);
const ms = (time: readonly [number, number]) => time[0] * 1000 + time[1] / 1e6;
/** An event's time in fractional Unix ms: the span's own, to the microsecond. */
const eventMs = ({ timestamp }: Event) =>
  Number(timestamp!.seconds) * 1000 + timestamp!.nanos / 1e6;
const onSpan = (events: Event[], span: ReadableSpan) =>
  events.filter((event) => event.spanId === span.spanContext().spanId).map(typeName);

describe("AI SDK 6 spans", () => {
  it("generateText: model calls and the tool call, in the session named by telemetry metadata", async () => {
    const { tracer, spans, events, processor } = setUp();
    const result = await generateText({
      model: scriptedModel(),
      prompt: "Weather in Paris?",
      tools: { weather },
      stopWhen: stepCountIs(3),
      experimental_telemetry: {
        isEnabled: true,
        tracer,
        functionId: "weather-bot",
        metadata: { sessionId: "conversation-1" },
      },
    });
    expect(result.text).toBe("Sunny");
    const all = await events();
    const finished = spans.getFinishedSpans();
    const [firstCall, secondCall] = byName(finished, "ai.generateText.doGenerate");
    const [toolCall] = byName(finished, "ai.toolCall");
    expect(onSpan(all, firstCall!)).toEqual(["MODEL_INVOCATION_START", "MODEL_INVOCATION_END"]);
    expect(onSpan(all, secondCall!)).toEqual(["MODEL_INVOCATION_START", "MODEL_INVOCATION_END"]);
    expect(onSpan(all, toolCall!)).toEqual(["TOOL_CALL_START", "TOOL_CALL_END"]);
    // The top-level ai.generateText span has no events of its own; the session is named.
    expect(all.map(typeName)).not.toContain("SESSION_START");
    expect(all).toHaveLength(6);
    const traceId = firstCall!.spanContext().traceId;
    for (const event of all) {
      expect(event.sessionId).toBe("conversation-1");
      expect(event.traceId).toBe(traceId);
      expect(event.parentSpanId).toBe("");
    }

    const [start, end] = all.filter((e) => e.spanId === firstCall!.spanContext().spanId);
    expect(eventMs(start!)).toBeCloseTo(ms(firstCall!.startTime), 2);
    expect(eventMs(end!)).toBeCloseTo(ms(firstCall!.endTime), 2);
    const started = start!.content.value as { provider: string; model: string; request: unknown };
    expect(started).toMatchObject({ provider: "mock-provider", model: "mock-model-id" });
    expect(started.request).toMatchObject({
      messages: [{ role: "user", content: [{ type: "text", text: "Weather in Paris?" }] }],
      tools: [{ name: "weather", type: "function" }],
    });
    expect(end!.content.value).toMatchObject({
      promptTokens: 10,
      completionTokens: 5,
      totalTokens: 15,
      finishReason: "tool-calls",
      response: { tool_calls: [{ toolCallId: "call-1", toolName: "weather" }] },
    });
    expect(end!.responseId).toBe("resp-1");
    expect(end!.metadata).toMatchObject({
      usage: { cache_read_input_tokens: 3, reasoning_output_tokens: 2 },
      response_model: "mock-1",
    });

    const [toolStart, toolEnd] = all.filter((e) => e.spanId === toolCall!.spanContext().spanId);
    expect(toolStart!.content).toMatchObject({
      case: "toolCall",
      value: { id: "call-1", name: "weather", arguments: { city: "Paris" } },
    });
    expect(toolEnd!.content).toMatchObject({
      case: "toolResponse",
      value: { toolCallId: "call-1", output: { city: "Paris", sky: "sunny" } },
    });
    expect(processor.stats()).toMatchObject({ mappedSpans: 3, failed: 0, openSpans: 0 });
  });

  it("streamText: without a session id or a Chaukas scope, the call is a session of its own", async () => {
    const { tracer, spans, events, processor } = setUp();
    const result = streamText({
      model: scriptedModel(),
      prompt: "Weather in Oslo?",
      tools: { weather },
      stopWhen: stepCountIs(3),
      experimental_telemetry: { isEnabled: true, tracer },
    });
    expect(await result.text).toBe("Snow");
    const all = await events();
    const finished = spans.getFinishedSpans();
    const [root] = byName(finished, "ai.streamText");
    const streams = byName(finished, "ai.streamText.doStream");
    expect(streams).toHaveLength(2);
    // A streamed step's span ends after the tools it called, once its stream is read to the end.
    expect(all.map(typeName)).toEqual([
      "SESSION_START",
      "TOOL_CALL_START",
      "TOOL_CALL_END",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "SESSION_END",
    ]);
    const [sessionStart] = all;
    const sessionEnd = all.at(-1)!;
    expect(sessionStart!.traceId).toBe(root!.spanContext().traceId);
    expect(eventMs(sessionStart!)).toBeCloseTo(ms(root!.startTime), 2);
    expect(eventMs(sessionEnd)).toBeCloseTo(ms(root!.endTime), 2);
    // The AI SDK runs a streamed step's tools inside that step's span: they nest under it.
    const toolParent = streams[0]!.spanContext().spanId;
    for (const event of all.slice(1, -1)) {
      expect(event.sessionId).toBe(sessionStart!.sessionId);
      expect(event.traceId).toBe(sessionStart!.traceId);
      const tool = typeName(event).startsWith("TOOL_CALL");
      expect(event.parentSpanId).toBe(tool ? toolParent : sessionStart!.spanId);
    }
    const toolStart = all.find((e) => typeName(e) === "TOOL_CALL_START")!;
    expect(toolStart.content.value).toMatchObject({ id: "call-2", arguments: { city: "Oslo" } });
    expect(all.at(-2)!.content.value).toMatchObject({ response: { text: "Snow" } });
    expect(processor.stats()).toMatchObject({ openSessions: 0, openSpans: 0 });
  });

  it("nests under the Chaukas span active when the call starts, and keeps content in when told", async () => {
    const { tracer, events, chaukas } = setUp({ recordInputs: false, recordOutputs: false });
    const session = chaukas.startSession({ agentId: "planner" });
    await session.run(() =>
      generateText({
        model: scriptedModel(),
        prompt: "Weather in Paris?",
        tools: { weather },
        stopWhen: stepCountIs(3),
        experimental_telemetry: { isEnabled: true, tracer },
      }),
    );
    session.end();
    const all = await events();
    const mapped = all.filter((e) => e.spanId !== session.spanId);
    expect(mapped.map(typeName)).toEqual([
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "TOOL_CALL_START",
      "TOOL_CALL_END",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
    ]);
    for (const event of mapped) {
      expect(event.sessionId).toBe(session.id);
      expect(event.traceId).toBe(session.traceId);
      expect(event.parentSpanId).toBe(session.spanId);
      expect(event.agentId).toBe("planner");
    }
    const [modelStart, modelEnd, toolStart, toolEnd] = mapped;
    expect((modelStart!.content.value as { request?: unknown }).request).toBeUndefined();
    expect((modelEnd!.content.value as { response?: unknown }).response).toBeUndefined();
    expect((modelEnd!.content.value as { promptTokens: number }).promptTokens).toBe(10);
    expect((toolStart!.content.value as { arguments?: unknown }).arguments).toBeUndefined();
    expect((toolEnd!.content.value as { output?: unknown }).output).toBeUndefined();
  });
});
