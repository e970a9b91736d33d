import { toJsonString } from "@bufbuild/protobuf";
import {
  type ChaukasClient,
  type ChaukasClientOptions,
  createChaukasClient,
} from "@chaukas/client";
import { redact } from "@chaukas/client/redact";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { type Event, EventSchema, EventStatus, EventType, Severity } from "@chaukas/spec/common/v1";
import {
  createAsyncLocalStorageContextManager,
  createNodeTransport,
} from "@chaukas/transport-node";
import {
  generateText,
  jsonSchema,
  registerTelemetry,
  stepCountIs,
  streamText,
  type TelemetryOptions,
  tool,
} from "ai";
import { MockLanguageModelV4 } from "ai/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chaukasTelemetry } from "../src/index.js";
import {
  failingModel,
  STEP_USAGE,
  streamedToolThenAnswerModel,
  toolThenAnswerModel,
} from "./scripted-model.js";

let server: DevServer;
let chaukas: ChaukasClient;
let projectId: string;
const globalTelemetry = { current: undefined as ReturnType<typeof chaukasTelemetry> | undefined };

/** A client as an application makes it: gRPC to the backend, AsyncLocalStorage context. */
function nodeClient(options: Pick<ChaukasClientOptions, "beforeSend"> = {}) {
  return createChaukasClient({
    transport: createNodeTransport({ baseUrl: server.url, protocol: "grpc" }),
    tenantId: "acme",
    projectId,
    contextManager: createAsyncLocalStorageContextManager(),
    flushIntervalMs: 20,
    ...options,
  });
}

beforeAll(async () => {
  server = await startDevServer({ port: 0 });
  projectId = `ai-sdk-${Math.random().toString(36).slice(2)}`;
  chaukas = nodeClient();
  // The one line of the README; calls without integrations of their own report to it.
  globalTelemetry.current = chaukasTelemetry(chaukas);
  registerTelemetry(globalTelemetry.current);
});

afterAll(async () => {
  await chaukas?.shutdown();
  await server?.close();
});

/** An event as JSON text, to search its Struct fields (prompt, response) for a string. */
const contentJson = (event: Event | undefined) => (event ? toJsonString(EventSchema, event) : "");

/** The session's events as the backend stored them, in emission order. */
async function stored(client: ChaukasClient, sessionId: string): Promise<Event[]> {
  await client.flush();
  return server.store
    .events()
    .filter((e) => e.sessionId === sessionId)
    .sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
}

const types = (events: readonly Event[]) => events.map((e) => EventType[e.type]);
const one = (events: readonly Event[], type: EventType) => {
  const matching = events.filter((e) => e.type === type);
  expect(matching).toHaveLength(1);
  return matching[0] as Event;
};
const all = (events: readonly Event[], type: EventType) => events.filter((e) => e.type === type);

const weatherCall = { toolCallId: "call-1", toolName: "weather", input: { city: "Paris" } };

/**
 * The weather tool: with a client, it reports reading a datasource, from inside its own span.
 */
function weatherTool(client: ChaukasClient | undefined, execute?: () => unknown) {
  return tool({
    description: "Current weather of a city",
    inputSchema: jsonSchema<{ city: string }>({
      type: "object",
      properties: { city: { type: "string" } },
      required: ["city"],
    }),
    execute: async ({ city }) => {
      client?.dataAccess({ datasource: `weather://${city}` });
      return execute ? execute() : { city, temperatureC: 21 };
    },
  });
}

describe("generateText with the registered integration", () => {
  it("records each step's model call and the tool call inside the caller's session", async () => {
    const session = chaukas.startSession({ agentId: "planner", agentName: "Planner" });
    const result = await session.run(() =>
      generateText({
        model: toolThenAnswerModel(weatherCall, "It is sunny in Paris."),
        prompt: "What is the weather in Paris?",
        tools: { weather: weatherTool(chaukas) },
        stopWhen: stepCountIs(3),
        // Settings only: the registered integration still receives the call.
        telemetry: { functionId: "weather-question" },
      }),
    );
    session.end();
    expect(result.text).toBe("It is sunny in Paris.");

    const events = await stored(chaukas, session.id);
    expect(types(events)).toEqual([
      "SESSION_START",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "TOOL_CALL_START",
      "DATA_ACCESS",
      "TOOL_CALL_END",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "SESSION_END",
    ]);
    const start = one(events, EventType.SESSION_START);
    for (const event of events) expect(event.traceId).toBe(start.traceId);

    // Model calls and the tool call are children of the session; one call id joins them.
    const [firstStart, secondStart] = all(events, EventType.MODEL_INVOCATION_START);
    const [firstEnd, secondEnd] = all(events, EventType.MODEL_INVOCATION_END);
    const toolStart = one(events, EventType.TOOL_CALL_START);
    const toolEnd = one(events, EventType.TOOL_CALL_END);
    for (const event of [firstStart, secondStart, toolStart]) {
      expect(event?.parentSpanId).toBe(start.spanId);
      expect(event?.agentId).toBe("planner");
      expect(event?.invocationId).toBe(firstStart?.invocationId);
      expect(event?.metadata).toEqual({ functionId: "weather-question" });
    }
    expect(firstStart?.invocationId).not.toBe("");
    expect(firstEnd?.spanId).toBe(firstStart?.spanId);
    expect(secondEnd?.spanId).toBe(secondStart?.spanId);
    expect(toolEnd.spanId).toBe(toolStart.spanId);

    expect(firstStart?.content).toMatchObject({
      case: "llmInvocation",
      value: { provider: "mock-provider", model: "mock-model-id" },
    });
    expect(contentJson(firstStart)).toContain("What is the weather in Paris?");
    expect(firstEnd).toMatchObject({
      status: EventStatus.COMPLETED,
      responseId: "response-1",
      content: {
        case: "llmInvocation",
        value: {
          promptTokens: 10,
          completionTokens: 5,
          totalTokens: 15,
          finishReason: "tool-calls",
        },
      },
    });
    expect(secondEnd).toMatchObject({
      content: { case: "llmInvocation", value: { finishReason: "stop", totalTokens: 15 } },
    });
    expect(contentJson(secondEnd)).toContain("It is sunny in Paris.");

    expect(toolStart.content).toEqual({
      case: "toolCall",
      value: expect.objectContaining({
        id: "call-1",
        name: "weather",
        arguments: { city: "Paris" },
      }),
    });
    expect(toolEnd).toMatchObject({
      status: EventStatus.COMPLETED,
      content: {
        case: "toolResponse",
        value: { toolCallId: "call-1", output: { city: "Paris", temperatureC: 21 } },
      },
    });
    // What the tool emits while it runs nests under its TOOL_CALL span (executeTool).
    expect(one(events, EventType.DATA_ACCESS).parentSpanId).toBe(toolStart.spanId);
    expect(globalTelemetry.current?.stats()).toEqual({ failed: 0, openCalls: 0 });
  });

  it("records a streamed call (streamText) the same way, ending each model call when its stream finishes", async () => {
    const session = chaukas.startSession({ agentId: "streamer" });
    const result = await session.run(async () => {
      const stream = streamText({
        model: streamedToolThenAnswerModel(weatherCall, "Sunny and warm in Paris."),
        prompt: "Weather in Paris, streamed?",
        tools: { weather: weatherTool(chaukas) },
        stopWhen: stepCountIs(3),
      });
      return await stream.text;
    });
    session.end();
    expect(result).toBe("Sunny and warm in Paris.");

    const events = await stored(chaukas, session.id);
    expect(types(events)).toEqual([
      "SESSION_START",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "TOOL_CALL_START",
      "DATA_ACCESS",
      "TOOL_CALL_END",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "SESSION_END",
    ]);
    const start = one(events, EventType.SESSION_START);
    const ends = all(events, EventType.MODEL_INVOCATION_END);
    expect(ends.map((e) => e.content.value)).toMatchObject([
      { finishReason: "tool-calls", promptTokens: 10, completionTokens: 5 },
      { finishReason: "stop", promptTokens: 10, completionTokens: 5 },
    ]);
    expect(contentJson(ends[1])).toContain("Sunny and warm in Paris.");
    for (const event of all(events, EventType.MODEL_INVOCATION_START)) {
      expect(event.parentSpanId).toBe(start.spanId);
    }
    expect(one(events, EventType.TOOL_CALL_END)).toMatchObject({
      status: EventStatus.COMPLETED,
      content: { value: { toolCallId: "call-1", output: { city: "Paris", temperatureC: 21 } } },
    });
  });

  it("ends a failing tool's call as FAILED with an ERROR under it, and the model goes on", async () => {
    const session = chaukas.startSession({ agentId: "planner" });
    const result = await session.run(() =>
      generateText({
        model: toolThenAnswerModel(weatherCall, "The weather service is down."),
        prompt: "What is the weather in Paris?",
        tools: {
          weather: weatherTool(chaukas, () => {
            throw new Error("weather service unavailable");
          }),
        },
        stopWhen: stepCountIs(3),
      }),
    );
    session.end();
    expect(result.text).toBe("The weather service is down.");

    const events = await stored(chaukas, session.id);
    expect(types(events)).toEqual([
      "SESSION_START",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "TOOL_CALL_START",
      "DATA_ACCESS",
      "ERROR",
      "TOOL_CALL_END",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "SESSION_END",
    ]);
    const toolStart = one(events, EventType.TOOL_CALL_START);
    expect(one(events, EventType.TOOL_CALL_END)).toMatchObject({
      status: EventStatus.FAILED,
      severity: Severity.ERROR,
      content: {
        case: "toolResponse",
        value: { toolCallId: "call-1", errorMessage: "weather service unavailable" },
      },
    });
    expect(one(events, EventType.ERROR)).toMatchObject({
      parentSpanId: toolStart.spanId,
      status: EventStatus.FAILED,
      content: {
        case: "error",
        value: { errorMessage: "weather service unavailable", recoverable: true },
      },
    });
  });

  it("ends a failing model call as FAILED and records an ERROR; the caller gets the AI SDK's error", async () => {
    const session = chaukas.startSession({ agentId: "planner" });
    const failure = new Error("provider unreachable");
    await expect(
      session.run(() =>
        generateText({ model: failingModel(failure), prompt: "Hello?", maxRetries: 0 }),
      ),
    ).rejects.toThrow("provider unreachable");
    session.end();

    const events = await stored(chaukas, session.id);
    expect(types(events)).toEqual([
      "SESSION_START",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "ERROR",
      "SESSION_END",
    ]);
    const start = one(events, EventType.SESSION_START);
    expect(one(events, EventType.MODEL_INVOCATION_END)).toMatchObject({
      status: EventStatus.FAILED,
      metadata: { error: { message: "provider unreachable" } },
    });
    expect(one(events, EventType.ERROR)).toMatchObject({
      parentSpanId: start.spanId,
      content: { case: "error", value: { errorMessage: "provider unreachable" } },
    });
    expect(globalTelemetry.current?.stats().openCalls).toBe(0);
  });
});

describe("calls that overlap or stop early", () => {
  it("keeps concurrent calls in their own sessions", async () => {
    const ask = (agentId: string, city: string) => {
      const session = chaukas.startSession({ agentId });
      return session
        .run(() =>
          generateText({
            model: toolThenAnswerModel({ ...weatherCall, input: { city } }, `Sunny in ${city}.`),
            prompt: `Weather in ${city}?`,
            tools: { weather: weatherTool(chaukas) },
            stopWhen: stepCountIs(3),
          }),
        )
        .then(() => {
          session.end();
          return session.id;
        });
    };
    const sessionIds = await Promise.all([ask("paris-agent", "Paris"), ask("oslo-agent", "Oslo")]);
    for (const [index, city] of ["Paris", "Oslo"].entries()) {
      const events = await stored(chaukas, sessionIds[index] as string);
      expect(types(events)).toHaveLength(9);
      const start = one(events, EventType.SESSION_START);
      for (const event of events) expect(event.traceId).toBe(start.traceId);
      expect(one(events, EventType.TOOL_CALL_START).content.value).toMatchObject({
        arguments: { city },
      });
      expect(
        new Set(all(events, EventType.MODEL_INVOCATION_START).map((e) => e.invocationId)).size,
      ).toBe(1);
    }
  });

  it("nests a generateText that a tool runs under that tool's call", async () => {
    const session = chaukas.startSession({ agentId: "planner" });
    const researcher = tool({
      inputSchema: jsonSchema<{ city: string }>({ type: "object" }),
      execute: async ({ city }) => {
        const inner = await generateText({
          model: new MockLanguageModelV4({
            modelId: "inner-model",
            doGenerate: {
              content: [{ type: "text", text: `Notes on ${city}.` }],
              finishReason: { unified: "stop", raw: "stop" },
              usage: STEP_USAGE,
              warnings: [],
            },
          }),
          prompt: `Research ${city}`,
        });
        return { notes: inner.text };
      },
    });
    await session.run(() =>
      generateText({
        model: toolThenAnswerModel({ ...weatherCall, toolName: "research" }, "Done."),
        prompt: "Research Paris",
        tools: { research: researcher },
        stopWhen: stepCountIs(3),
      }),
    );
    session.end();
    const events = await stored(chaukas, session.id);
    const toolStart = one(events, EventType.TOOL_CALL_START);
    const inner = all(events, EventType.MODEL_INVOCATION_START).filter(
      (e) => e.content.case === "llmInvocation" && e.content.value.model === "inner-model",
    );
    expect(inner).toHaveLength(1);
    expect(inner[0]?.parentSpanId).toBe(toolStart.spanId);
    expect(inner[0]?.invocationId).not.toBe(toolStart.invocationId);
    expect(one(events, EventType.TOOL_CALL_END).content.value).toMatchObject({
      output: { notes: "Notes on Paris." },
    });
  });

  it("ends the model call of an aborted stream as FAILED (aborted), without an ERROR", async () => {
    const session = chaukas.startSession({ agentId: "impatient" });
    const controller = new AbortController();
    await session.run(async () => {
      const stream = streamText({
        model: streamedToolThenAnswerModel(weatherCall, "one two three four five six"),
        prompt: "Weather?",
        tools: { weather: weatherTool(chaukas) },
        stopWhen: stepCountIs(3),
        abortSignal: controller.signal,
      });
      for await (const delta of stream.textStream) {
        if (delta.length > 0) controller.abort();
      }
    });
    session.end();
    const events = await stored(chaukas, session.id);
    expect(types(events)).not.toContain("ERROR");
    const [, secondEnd] = all(events, EventType.MODEL_INVOCATION_END);
    expect(secondEnd).toMatchObject({
      status: EventStatus.FAILED,
      metadata: { error: { code: "aborted" } },
    });
    expect(globalTelemetry.current?.stats().openCalls).toBe(0);
  });
});

describe("content capture", () => {
  const secrets = ["secret-prompt", "secret-city", "secret-result", "secret-failure"];

  /** A call whose prompt, tool arguments, tool result and tool error each hold a secret. */
  async function secretCall(client: ChaukasClient, telemetry: TelemetryOptions) {
    const session = client.startSession({ agentId: "private" });
    const call = { ...weatherCall, input: { city: "secret-city" } };
    await session.run(() =>
      generateText({
        model: toolThenAnswerModel(call, "secret-result in the answer"),
        prompt: "secret-prompt",
        tools: {
          weather: weatherTool(undefined, () => {
            throw new Error("secret-failure");
          }),
        },
        stopWhen: stepCountIs(3),
        telemetry,
      }),
    );
    session.end();
    return stored(client, session.id);
  }

  function expectNoContent(events: readonly Event[]) {
    expect(types(events)).toContain("TOOL_CALL_END");
    expect(types(events)).toContain("ERROR");
    for (const event of events) {
      const json = toJsonString(EventSchema, event);
      for (const secret of secrets) expect(json).not.toContain(secret);
    }
    expect(one(events, EventType.TOOL_CALL_START).content.value).not.toHaveProperty("arguments");
    for (const model of all(events, EventType.MODEL_INVOCATION_START)) {
      expect(model.content.value).not.toHaveProperty("request");
    }
  }

  it("sends no prompt, arguments, results or error messages with recordInputs/recordOutputs false", async () => {
    const telemetry = chaukasTelemetry(chaukas, { recordInputs: false, recordOutputs: false });
    const events = await secretCall(chaukas, { integrations: [telemetry] });
    expectNoContent(events);
    // The event shapes stay: tokens, finish reasons, the tool's name and its failure.
    expect(one(events, EventType.TOOL_CALL_START).content.value).toMatchObject({ name: "weather" });
    expect(one(events, EventType.TOOL_CALL_END).status).toBe(EventStatus.FAILED);
    expect(all(events, EventType.MODEL_INVOCATION_END)[0]?.content.value).toMatchObject({
      promptTokens: 10,
      finishReason: "tool-calls",
    });
  });

  it("honours the AI SDK's own per-call recordInputs/recordOutputs false", async () => {
    const events = await secretCall(chaukas, { recordInputs: false, recordOutputs: false });
    expectNoContent(events);
  });

  it("passes every event through the client's beforeSend (redaction)", async () => {
    const redacting = nodeClient({
      beforeSend: (event) => redact(event, ["tool_call.arguments.city"]),
    });
    try {
      const session = redacting.startSession({ agentId: "redacted" });
      await session.run(() =>
        generateText({
          model: toolThenAnswerModel(weatherCall, "Sunny."),
          prompt: "Weather?",
          tools: { weather: weatherTool(redacting) },
          stopWhen: stepCountIs(3),
          telemetry: { integrations: [chaukasTelemetry(redacting)] },
        }),
      );
      session.end();
      const toolStart = one(await stored(redacting, session.id), EventType.TOOL_CALL_START);
      expect(toolStart.content.value).toMatchObject({ arguments: { city: "[REDACTED]" } });
    } finally {
      await redacting.shutdown();
    }
  });
});

describe("failures of the integration itself", () => {
  it("are counted and reported, never thrown into the AI SDK", async () => {
    const reported: string[] = [];
    const telemetry = chaukasTelemetry(chaukas, {
      onError: (_error, hook) => {
        reported.push(hook);
        throw new Error("a failing onError is ignored too");
      },
    });
    const session = chaukas.startSession({ agentId: "planner" });
    // The client refuses a model call without a provider name: the integration cannot emit it.
    const model = toolThenAnswerModel(weatherCall, "Still answered.");
    Object.defineProperty(model, "provider", { value: "" });
    const result = await session.run(() =>
      generateText({
        model,
        prompt: "Weather?",
        tools: { weather: weatherTool(chaukas) },
        stopWhen: stepCountIs(3),
        telemetry: { integrations: [telemetry] },
      }),
    );
    session.end();
    expect(result.text).toBe("Still answered.");
    expect(reported).toEqual(["onLanguageModelCallStart", "onLanguageModelCallStart"]);
    expect(telemetry.stats()).toEqual({ failed: 2, openCalls: 0 });
    // What could be recorded was: the tool call.
    const events = await stored(chaukas, session.id);
    expect(types(events)).toContain("TOOL_CALL_END");
    expect(types(events)).not.toContain("MODEL_INVOCATION_START");
  });

  it("still ends a model call whose result the client refuses, as FAILED naming the field", async () => {
    const telemetry = chaukasTelemetry(chaukas);
    const session = chaukas.startSession({ agentId: "planner" });
    const model = new MockLanguageModelV4({
      doGenerate: {
        content: [{ type: "text", text: "Hi." }],
        finishReason: { unified: "stop", raw: "stop" },
        // A provider reporting a negative count: not a valid prompt_tokens.
        usage: { ...STEP_USAGE, inputTokens: { ...STEP_USAGE.inputTokens, total: -1 } },
        warnings: [],
      },
    });
    await session.run(() =>
      generateText({ model, prompt: "Hello?", telemetry: { integrations: [telemetry] } }),
    );
    session.end();
    expect(telemetry.stats()).toEqual({ failed: 1, openCalls: 0 });
    const events = await stored(chaukas, session.id);
    expect(one(events, EventType.MODEL_INVOCATION_END)).toMatchObject({
      status: EventStatus.FAILED,
      metadata: { error: { message: expect.stringContaining("prompt_tokens") } },
    });
  });

  it("rejects invalid options with a ChaukasValidationError naming the option", () => {
    expect(() => chaukasTelemetry(chaukas, { maxOpenCalls: 0 })).toThrow(/maxOpenCalls/);
  });

  it("evicts the oldest open call beyond maxOpenCalls, ending its spans as failed", async () => {
    const telemetry = chaukasTelemetry(chaukas, { maxOpenCalls: 1 });
    const session = chaukas.startSession({ agentId: "leaky" });
    session.run(() => {
      // Two calls that never report their end, as streams nobody reads would.
      telemetry.onStart({ callId: "a" } as never);
      telemetry.onLanguageModelCallStart({ callId: "a", provider: "p", modelId: "m" } as never);
      telemetry.onStart({ callId: "b" } as never);
    });
    session.end();
    expect(telemetry.stats()).toEqual({ failed: 1, openCalls: 1 });
    const events = await stored(chaukas, session.id);
    expect(one(events, EventType.MODEL_INVOCATION_END)).toMatchObject({
      status: EventStatus.FAILED,
      metadata: { error: { code: "evicted" } },
    });
  });
});
