import { type Event, EventStatus } from "@chaukas/spec/common/v1";
import { Agent } from "@mastra/core/agent";
import { Mastra } from "@mastra/core/mastra";
import { createTool } from "@mastra/core/tools";
import { Observability } from "@mastra/observability";
import { OtelBridge } from "@mastra/otel-bridge";
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { MockLanguageModelV3 } from "ai/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createChaukasSpanProcessor } from "../src/index.js";
import { createEventSink, typeName } from "./event-sink.js";

// Mastra (with its OpenTelemetry bridge) put into the application's own tracer provider, where
// the Chaukas span processor sits: `new OtelBridge({ tracerProvider })`. The model is the AI SDK's
// MockLanguageModelV3 (Mastra takes AI SDK models): no network, no key. Mastra 1.x declares
// Node >= 22.13, yet runs here on 20 as well; this file is in the Node 22/24 subset too.
const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});

/** A model that asks for the weather in Oslo, then answers with what the tool returned. */
function scriptedModel() {
  let step = 0;
  return new MockLanguageModelV3({
    provider: "scripted",
    modelId: "scripted-1",
    doGenerate: async () =>
      step++ === 0
        ? {
            content: [
              {
                type: "tool-call",
                toolCallId: "call-1",
                toolName: "weather",
                input: JSON.stringify({ city: "Oslo" }),
              },
            ],
            finishReason: { unified: "tool-calls", raw: "tool_calls" },
            usage: {
              inputTokens: { total: 11, noCache: 11, cacheRead: 0, cacheWrite: 0 },
              outputTokens: { total: 7, text: 7, reasoning: 0 },
            },
            warnings: [],
          }
        : {
            content: [{ type: "text", text: "Snow in Oslo" }],
            finishReason: { unified: "stop", raw: "stop" },
            usage: {
              inputTokens: { total: 20, noCache: 20, cacheRead: 0, cacheWrite: 0 },
              outputTokens: { total: 5, text: 5, reasoning: 0 },
            },
            warnings: [],
          },
  });
}

const weather = createTool({
  id: "weather",
  description: "The weather in a city",
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, sky: "snow" }),
});

/** Runs the agent once, its spans into a provider with the Chaukas processor; every span ended. */
async function runAgent(tools: Record<string, typeof weather> = { weather }) {
  const sink = createEventSink();
  const spans = new InMemorySpanExporter();
  const processor = createChaukasSpanProcessor(sink.chaukas);
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(spans), processor],
  });
  const agent = new Agent({
    id: "weather-agent",
    name: "Weather agent",
    instructions: "Answer questions about the weather.",
    model: scriptedModel(),
    tools,
  });
  const observability = new Observability({
    configs: {
      default: { serviceName: "mastra-test", bridge: new OtelBridge({ tracerProvider: provider }) },
    },
  });
  const mastra = new Mastra({ agents: { agent }, logger: false, observability });
  const result = await mastra.getAgent("agent").generate("What is the weather in Oslo?");
  // Mastra hands its ended spans to the bridge asynchronously: its flush waits for them (what a
  // serverless handler awaits before it returns), and ends no span Mastra has not ended.
  await observability.flush();
  await provider.forceFlush();
  return { result, events: await sink.events(), spans: spans.getFinishedSpans(), processor };
}

const spanNamed = (spans: ReadableSpan[], name: string) => {
  const found = spans.find((span) => span.name === name);
  expect(found, `span ${name}`).toBeDefined();
  return found!;
};
const onSpan = (events: Event[], span: ReadableSpan) =>
  events.filter((event) => event.spanId === span.spanContext().spanId).map(typeName);

describe("a Mastra agent through @mastra/otel-bridge", () => {
  it("becomes one session: the agent, its model invocation with tokens, and its tool call with arguments", async () => {
    const { result, events, spans, processor } = await runAgent();
    expect(result.text).toBe("Snow in Oslo");

    const agentSpan = spanNamed(spans, "invoke_agent Weather agent");
    const modelSpan = spanNamed(spans, "chat scripted-1");
    const toolSpan = spanNamed(spans, "execute_tool weather");

    expect(events.map(typeName)).toEqual([
      "SESSION_START",
      "TOOL_CALL_START",
      "TOOL_CALL_END",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "AGENT_START",
      "AGENT_END",
      "SESSION_END",
    ]);
    // One session, on the agent's trace.
    const [session] = events;
    expect(new Set(events.map((event) => event.sessionId))).toEqual(new Set([session!.sessionId]));
    expect(new Set(events.map((event) => event.traceId))).toEqual(
      new Set([agentSpan.spanContext().traceId]),
    );

    // Each Mastra span keeps its id, and nests as Mastra nested it.
    expect(onSpan(events, agentSpan)).toEqual(["AGENT_START", "AGENT_END"]);
    expect(onSpan(events, modelSpan)).toEqual(["MODEL_INVOCATION_START", "MODEL_INVOCATION_END"]);
    expect(onSpan(events, toolSpan)).toEqual(["TOOL_CALL_START", "TOOL_CALL_END"]);
    const byType = (type: string) => events.find((event) => typeName(event) === type)!;
    expect(byType("AGENT_START").parentSpanId).toBe(session!.spanId);
    expect(byType("MODEL_INVOCATION_START").parentSpanId).toBe(agentSpan.spanContext().spanId);
    expect(byType("TOOL_CALL_START").parentSpanId).toBe(modelSpan.spanContext().spanId);

    // The agent, on every event under it.
    const agentStart = byType("AGENT_START");
    expect(agentStart.agentId).toBe("weather-agent");
    expect(agentStart.agentName).toBe("Weather agent");
    expect(byType("TOOL_CALL_START").agentId).toBe("weather-agent");

    // The model invocation: provider, model, the tokens of both steps, the prompt and answer.
    const modelStart = byType("MODEL_INVOCATION_START").content.value as {
      provider: string;
      model: string;
      request: unknown;
    };
    expect(modelStart).toMatchObject({ provider: "scripted", model: "scripted-1" });
    expect(JSON.stringify(modelStart.request)).toContain("What is the weather in Oslo?");
    const modelEnd = byType("MODEL_INVOCATION_END").content.value as { response: unknown };
    expect(modelEnd).toMatchObject({
      promptTokens: 31,
      completionTokens: 12,
      finishReason: "stop",
    });
    expect(JSON.stringify(modelEnd.response)).toContain("Snow in Oslo");

    // The tool call: name, the model's call id, arguments and result.
    expect(byType("TOOL_CALL_START").content).toMatchObject({
      case: "toolCall",
      value: { id: "call-1", name: "weather", arguments: { city: "Oslo" } },
    });
    expect(byType("TOOL_CALL_END").content).toMatchObject({
      case: "toolResponse",
      value: { toolCallId: "call-1", output: { city: "Oslo", sky: "snow" } },
    });

    // Times are the spans' own.
    const ms = ([seconds, nanos]: readonly [number, number]) => seconds * 1000 + nanos / 1e6;
    const eventMs = ({ timestamp }: Event) =>
      Number(timestamp!.seconds) * 1000 + timestamp!.nanos / 1e6;
    expect(eventMs(byType("TOOL_CALL_START"))).toBeCloseTo(ms(toolSpan.startTime), 2);
    expect(eventMs(byType("AGENT_END"))).toBeCloseTo(ms(agentSpan.endTime), 2);

    expect(processor.stats()).toMatchObject({
      failed: 0,
      openSpans: 0,
      heldSpans: 0,
      openSessions: 0,
    });
  });

  it("a tool that throws: its call ends FAILED with an ERROR under it, in the same session", async () => {
    const failing = createTool({
      id: "weather",
      description: "The weather in a city",
      inputSchema: z.object({ city: z.string() }),
      execute: async () => {
        throw new Error("weather service down");
      },
    });
    const { events, spans } = await runAgent({ weather: failing });
    const toolSpan = spanNamed(spans, "execute_tool weather");
    expect(onSpan(events, toolSpan)).toEqual(["TOOL_CALL_START", "TOOL_CALL_END"]);
    const error = events.find((event) => typeName(event) === "ERROR");
    expect(error?.parentSpanId).toBe(toolSpan.spanContext().spanId);
    expect(JSON.stringify(error?.content.value)).toContain("weather service down");
    expect(events.find((event) => typeName(event) === "TOOL_CALL_END")?.status).toBe(
      EventStatus.FAILED,
    );
    expect(new Set(events.map((event) => event.sessionId)).size).toBe(1);
  });
});
