import { toJsonString } from "@bufbuild/protobuf";
import {
  type ChaukasClient,
  ChaukasValidationError,
  createChaukasClient,
  type SessionHandle,
} from "@chaukas/client";
import { type DevServer, startDevServer } from "@chaukas/devserver";
import { type Event, EventSchema, EventStatus, EventType, Severity } from "@chaukas/spec/common/v1";
import {
  createAsyncLocalStorageContextManager,
  createNodeTransport,
} from "@chaukas/transport-node";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type WrapOpenAIOptions, wrapOpenAI } from "../src/index.js";
import {
  BROKEN_STREAM_MODEL,
  FAILED_RESPONSE_MODEL,
  type FakeOpenAI,
  startFakeOpenAI,
  TOOL_MODEL,
} from "./fake-openai.js";

let devserver: DevServer;
let api: FakeOpenAI;
let chaukas: ChaukasClient;

beforeAll(async () => {
  [devserver, api] = await Promise.all([startDevServer({ port: 0 }), startFakeOpenAI()]);
  chaukas = createChaukasClient({
    transport: createNodeTransport({ baseUrl: devserver.url, protocol: "grpc" }),
    tenantId: "acme",
    projectId: `openai-${Math.random().toString(36).slice(2)}`,
    contextManager: createAsyncLocalStorageContextManager(),
    flushIntervalMs: 20,
  });
});

afterAll(async () => {
  await chaukas?.shutdown();
  await Promise.all([devserver?.close(), api?.close()]);
});

/** A client of the fake API, as an app makes one (no key of a real account). */
function newOpenAI(options: { maxRetries?: number } = {}): OpenAI {
  return new OpenAI({ apiKey: "sk-test", baseURL: api.url, maxRetries: 0, ...options });
}

function wrapped(options?: WrapOpenAIOptions & { maxRetries?: number }) {
  const { maxRetries, ...wrapOptions } = options ?? {};
  return wrapOpenAI(
    newOpenAI(maxRetries === undefined ? {} : { maxRetries }),
    chaukas,
    wrapOptions,
  );
}

/** The session's events as the backend stored them, in emission order. */
async function stored(sessionId: string): Promise<Event[]> {
  await chaukas.flush();
  return devserver.store
    .events()
    .filter((e) => e.sessionId === sessionId)
    .sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
}

const types = (events: readonly Event[]) => events.map((e) => EventType[e.type]);
const one = (events: readonly Event[], type: EventType) => {
  const matching = events.filter((e) => e.type === type);
  expect(matching, EventType[type]).toHaveLength(1);
  return matching[0] as Event;
};
const llm = (event: Event) => {
  if (event.content.case !== "llmInvocation") throw new Error("not a model invocation");
  return event.content.value;
};
const json = (event: Event | undefined) => (event ? toJsonString(EventSchema, event) : "");

/** Runs `fn` in a new session and returns the session's stored events. */
async function inSession<T>(fn: (session: SessionHandle) => Promise<T>) {
  const session = chaukas.startSession({ agentId: "support" });
  const value = await session.run(() => fn(session));
  session.end();
  return { value, events: await stored(session.id), session };
}

const ask = { role: "user" as const, content: "Say hello" };

describe("chat.completions.create", () => {
  it("records a call under the active session: model, settings, tokens, finish reason, response id", async () => {
    const openai = wrapped();
    const { value, events, session } = await inSession(() =>
      openai.chat.completions.create({
        model: "gpt-fake",
        messages: [ask],
        temperature: 0.2,
        max_completion_tokens: 64,
        top_p: 0.9,
      }),
    );
    const unwrapped = await newOpenAI().chat.completions.create({
      model: "gpt-fake",
      messages: [ask],
    });
    // The app gets what the SDK returns, request id included.
    expect(value).toEqual(unwrapped);
    expect(value._request_id).toMatch(/^req_/);

    expect(types(events)).toEqual([
      "SESSION_START",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "SESSION_END",
    ]);
    const start = one(events, EventType.MODEL_INVOCATION_START);
    const end = one(events, EventType.MODEL_INVOCATION_END);
    expect(start.parentSpanId).toBe(session.spanId);
    expect(end.spanId).toBe(start.spanId);
    expect(start.agentId).toBe("support");
    expect(llm(start)).toMatchObject({
      provider: "openai",
      model: "gpt-fake",
      temperature: 0.2,
      maxTokens: 64,
      topP: 0.9,
      request: { model: "gpt-fake", messages: [ask] },
    });
    expect(start.metadata).toEqual({ operation: "chat.completions.create" });
    expect(end.status).toBe(EventStatus.COMPLETED);
    expect(end.responseId).toBe("chatcmpl-fake1");
    expect(llm(end)).toMatchObject({
      model: "gpt-fake",
      promptTokens: 21,
      completionTokens: 9,
      totalTokens: 30,
      finishReason: "stop",
      response: {
        id: "chatcmpl-fake1",
        choices: [{ message: { role: "assistant", content: "Hello from the fake API." } }],
      },
    });
    expect(end.metadata).toEqual({
      operation: "chat.completions.create",
      cached_tokens: 8,
      reasoning_tokens: 4,
      response_model: "gpt-fake-2026-01-01",
    });
  });

  it("records the tool calls the model asked for", async () => {
    const openai = wrapped();
    const { value, events } = await inSession(() =>
      openai.chat.completions.create({ model: TOOL_MODEL, messages: [ask] }),
    );
    expect(value.choices[0]?.message.tool_calls?.[0]?.id).toBe("call_weather_1");
    const end = one(events, EventType.MODEL_INVOCATION_END);
    expect(llm(end).finishReason).toBe("tool_calls");
    expect(end.metadata?.tool_calls).toEqual([{ id: "call_weather_1", name: "get_weather" }]);
    expect(llm(end).response).toMatchObject({
      choices: [
        {
          message: {
            tool_calls: [{ function: { name: "get_weather", arguments: '{"city":"Paris"}' } }],
          },
        },
      ],
    });
  });

  it("opens a session of its own for a call made outside any Chaukas scope", async () => {
    const openai = wrapped();
    const before = new Set(devserver.store.events().map((e) => e.eventId));
    await openai.chat.completions.create({ model: "gpt-fake", messages: [ask] });
    await chaukas.flush();
    const added = devserver.store.events().filter((e) => !before.has(e.eventId));
    const start = one(added, EventType.MODEL_INVOCATION_START);
    const events = await stored(start.sessionId);
    expect(types(events)).toEqual([
      "SESSION_START",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "SESSION_END",
    ]);
    expect(start.parentSpanId).toBe(one(events, EventType.SESSION_START).spanId);
  });

  it("nests under a handle given instead of the client", async () => {
    const session = chaukas.startSession();
    const agent = session.agentStart({ agentId: "planner" });
    const openai = wrapOpenAI(newOpenAI(), agent);
    await openai.chat.completions.create({ model: "gpt-fake", messages: [ask] });
    agent.end();
    session.end();
    const events = await stored(session.id);
    const start = one(events, EventType.MODEL_INVOCATION_START);
    expect(start.parentSpanId).toBe(agent.spanId);
    expect(start.agentId).toBe("planner");
  });

  it("keeps the APIPromise helpers: withResponse() and asResponse() with an unread body", async () => {
    const openai = wrapped();
    const withResponse = await inSession(() =>
      openai.chat.completions.create({ model: "gpt-fake", messages: [ask] }).withResponse(),
    );
    expect(withResponse.value.data.id).toBe("chatcmpl-fake1");
    expect(withResponse.value.response.status).toBe(200);
    expect(withResponse.value.request_id).toMatch(/^req_/);
    expect(llm(one(withResponse.events, EventType.MODEL_INVOCATION_END)).promptTokens).toBe(21);

    const raw = await inSession(async () => {
      const response = await openai.chat.completions
        .create({ model: "gpt-fake", messages: [ask] })
        .asResponse();
      return { status: response.status, body: await response.json() };
    });
    // The app reads the body itself: the wrapper did not.
    expect(raw.value).toMatchObject({ status: 200, body: { id: "chatcmpl-fake1" } });
    const end = one(raw.events, EventType.MODEL_INVOCATION_END);
    expect(end.status).toBe(EventStatus.COMPLETED);
    expect(end.metadata).toMatchObject({ http_status: 200, response_read_by_app: true });
    expect(llm(end).promptTokens).toBe(0);
  });

  it("records chat.completions.parse(), which the SDK builds on create", async () => {
    const openai = wrapped();
    const { value, events } = await inSession(() =>
      openai.chat.completions.parse({ model: "gpt-fake", messages: [ask] }),
    );
    expect(value.choices[0]?.message.parsed).toBeNull();
    expect(llm(one(events, EventType.MODEL_INVOCATION_END)).completionTokens).toBe(9);
  });
});

describe("streamed chat completions", () => {
  it("end when the stream ends, with the text, usage and time to first token", async () => {
    const openai = wrapped();
    const { value: text, events } = await inSession(async () => {
      const stream = await openai.chat.completions.create({
        model: "gpt-fake",
        messages: [ask],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      return text;
    });
    expect(text).toBe("Hello stream.");
    const start = one(events, EventType.MODEL_INVOCATION_START);
    const end = one(events, EventType.MODEL_INVOCATION_END);
    expect(start.metadata).toEqual({ operation: "chat.completions.create", stream: true });
    expect(end.status).toBe(EventStatus.COMPLETED);
    expect(llm(end)).toMatchObject({
      promptTokens: 21,
      completionTokens: 9,
      finishReason: "stop",
      response: { choices: [{ message: { content: "Hello stream." } }] },
    });
    expect(end.metadata?.stream).toBe(true);
    expect(end.metadata?.time_to_first_token_ms).toBeGreaterThanOrEqual(0);
    expect(end.metadata?.time_to_first_token_ms).toBeLessThanOrEqual(llm(end).durationMs);
  });

  it("assemble streamed tool calls", async () => {
    const openai = wrapped();
    const { events } = await inSession(async () => {
      const stream = await openai.chat.completions.create({
        model: TOOL_MODEL,
        messages: [ask],
        stream: true,
      });
      for await (const _ of stream);
    });
    const end = one(events, EventType.MODEL_INVOCATION_END);
    expect(end.metadata?.tool_calls).toEqual([{ id: "call_weather_1", name: "get_weather" }]);
    expect(json(end)).toContain('{\\"city\\":\\"Paris\\"}');
  });

  it("end as abandoned (a warning, no ERROR) when the app stops reading", async () => {
    const openai = wrapped();
    const { events } = await inSession(async () => {
      const stream = await openai.chat.completions.create({
        model: "gpt-fake",
        messages: [ask],
        stream: true,
      });
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content) break;
      }
    });
    expect(types(events)).not.toContain("ERROR");
    const end = one(events, EventType.MODEL_INVOCATION_END);
    expect(end.status).toBe(EventStatus.FAILED);
    expect(end.severity).toBe(Severity.WARN);
    expect(end.metadata?.error).toEqual({
      message: "the app closed the stream before its end",
      code: "abandoned",
    });
    expect(llm(end).response).toMatchObject({ choices: [{ message: { content: "Hello " } }] });
  });

  it("fail with ERROR when the stream carries an error, and the app gets the SDK's error", async () => {
    const openai = wrapped();
    const { value: thrown, events } = await inSession(async () => {
      const stream = await openai.chat.completions.create({
        model: BROKEN_STREAM_MODEL,
        messages: [ask],
        stream: true,
      });
      try {
        for await (const _ of stream);
      } catch (error) {
        return error;
      }
    });
    expect(thrown).toBeInstanceOf(OpenAI.APIError);
    const error = one(events, EventType.ERROR);
    const end = one(events, EventType.MODEL_INVOCATION_END);
    expect(error.parentSpanId).toBe(end.spanId);
    expect(error.content).toMatchObject({
      case: "error",
      value: { errorMessage: "the server broke the stream" },
    });
    expect(end.status).toBe(EventStatus.FAILED);
    expect(llm(end).response).toMatchObject({
      choices: [{ message: { content: "Hello stream." } }],
    });
  });

  it("keep the stream's helpers: tee(), toReadableStream(), and chat.completions.stream()", async () => {
    const openai = wrapped();
    const { value, events } = await inSession(async () => {
      const stream = await openai.chat.completions.create({
        model: "gpt-fake",
        messages: [ask],
        stream: true,
      });
      const [left, right] = stream.tee();
      const read = async (branch: typeof left) => {
        let text = "";
        for await (const chunk of branch) text += chunk.choices[0]?.delta.content ?? "";
        return text;
      };
      const tee = await Promise.all([read(left), read(right)]);

      const readable = (
        await openai.chat.completions.create({ model: "gpt-fake", messages: [ask], stream: true })
      ).toReadableStream();
      const lines = (await new Response(readable).text()).trim().split("\n");

      const helper = openai.chat.completions.stream({ model: "gpt-fake", messages: [ask] });
      const final = await helper.finalChatCompletion();
      return { tee, lines: lines.length, final: final.choices[0]?.message.content };
    });
    expect(value).toEqual({
      tee: ["Hello stream.", "Hello stream."],
      lines: 4,
      final: "Hello stream.",
    });
    const ends = events.filter((e) => e.type === EventType.MODEL_INVOCATION_END);
    expect(ends.map((e) => e.status)).toEqual([
      EventStatus.COMPLETED,
      EventStatus.COMPLETED,
      EventStatus.COMPLETED,
    ]);
    for (const end of ends) {
      expect(llm(end).response).toMatchObject({
        choices: [{ message: { content: "Hello stream." } }],
      });
    }
  });
});

describe("responses.create", () => {
  it("records a response with its tool calls, usage, cached and reasoning tokens", async () => {
    const openai = wrapped();
    const { value, events } = await inSession(() =>
      openai.responses.create({
        model: "gpt-fake",
        input: "Where is my order?",
        max_output_tokens: 100,
      }),
    );
    expect(value.output_text).toBe("Your order ships today.");
    const start = one(events, EventType.MODEL_INVOCATION_START);
    const end = one(events, EventType.MODEL_INVOCATION_END);
    expect(llm(start)).toMatchObject({
      model: "gpt-fake",
      maxTokens: 100,
      request: { input: "Where is my order?" },
    });
    expect(end.responseId).toBe("resp_fake1");
    expect(llm(end)).toMatchObject({
      promptTokens: 17,
      completionTokens: 6,
      totalTokens: 23,
      finishReason: "completed",
      response: { id: "resp_fake1", status: "completed" },
    });
    expect(end.metadata).toMatchObject({
      operation: "responses.create",
      cached_tokens: 5,
      reasoning_tokens: 2,
      tool_calls: [{ id: "call_lookup_1", name: "lookup_order" }],
    });
  });

  it("records a streamed response, also through responses.stream()", async () => {
    const openai = wrapped();
    const { value, events } = await inSession(async () => {
      const stream = await openai.responses.create({
        model: "gpt-fake",
        input: "Hi",
        stream: true,
      });
      const types: string[] = [];
      for await (const event of stream) types.push(event.type);
      const helper = openai.responses.stream({ model: "gpt-fake", input: "Hi" });
      const final = await helper.finalResponse();
      return { types, final: final.output_text };
    });
    expect(value.types.at(-1)).toBe("response.completed");
    expect(value.final).toBe("Your order ships today.");
    const ends = events.filter((e) => e.type === EventType.MODEL_INVOCATION_END);
    expect(ends).toHaveLength(2);
    for (const end of ends) {
      expect(llm(end)).toMatchObject({
        promptTokens: 17,
        completionTokens: 6,
        finishReason: "completed",
      });
      expect(end.metadata?.time_to_first_token_ms).toBeGreaterThanOrEqual(0);
    }
  });

  it("ends a response the API reports failed with ERROR and a failed END", async () => {
    const openai = wrapped();
    const { events } = await inSession(async () => {
      const stream = await openai.responses.create({
        model: FAILED_RESPONSE_MODEL,
        input: "Hi",
        stream: true,
      });
      for await (const _ of stream);
    });
    expect(one(events, EventType.ERROR).content).toMatchObject({
      value: { errorMessage: "the model failed", errorCode: "server_error" },
    });
    const end = one(events, EventType.MODEL_INVOCATION_END);
    expect(end.status).toBe(EventStatus.FAILED);
    expect(llm(end).promptTokens).toBe(17);
  });
});

describe("embeddings.create", () => {
  it("is a model invocation of its own kind: tokens, count and size of the vectors, not the vectors", async () => {
    const openai = wrapped();
    const { value, events } = await inSession(() =>
      openai.embeddings.create({ model: "text-embedding-fake", input: ["a", "b"] }),
    );
    // The SDK still decodes its base64 answer into numbers for the app.
    expect(value.data[1]?.embedding).toEqual([0.25, -0.5, 0.75]);
    const start = one(events, EventType.MODEL_INVOCATION_START);
    const end = one(events, EventType.MODEL_INVOCATION_END);
    expect(start.metadata).toEqual({ operation: "embeddings.create" });
    expect(llm(start).request).toMatchObject({ input: ["a", "b"] });
    expect(llm(end)).toMatchObject({ promptTokens: 8, completionTokens: 0, totalTokens: 8 });
    expect(llm(end).response).toEqual({ embeddings: 2, dimensions: 3 });
    expect(end.metadata).toMatchObject({
      operation: "embeddings.create",
      embeddings: 2,
      dimensions: 3,
    });
  });
});

describe("API errors and the SDK's retries", () => {
  const rateLimited = {
    status: 429,
    headers: { "retry-after-ms": "1" },
    error: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" },
  };

  it("records each retry the SDK makes, then the call that succeeded", async () => {
    const openai = wrapped({ maxRetries: 2 });
    api.failNext(rateLimited, { status: 503 });
    const { value, events } = await inSession(() =>
      openai.chat.completions.create({ model: "gpt-fake", messages: [ask] }),
    );
    expect(value.id).toBe("chatcmpl-fake1");
    expect(types(events)).toEqual([
      "SESSION_START",
      "MODEL_INVOCATION_START",
      "RETRY",
      "RETRY",
      "MODEL_INVOCATION_END",
      "SESSION_END",
    ]);
    const start = one(events, EventType.MODEL_INVOCATION_START);
    const retries = events.filter((e) => e.type === EventType.RETRY);
    for (const retry of retries) expect(retry.parentSpanId).toBe(start.spanId);
    expect(retries.map((e) => ({ ...e.retry, $typeName: undefined }))).toMatchObject([
      { attempt: 2, strategy: "retry_after" },
      { attempt: 3, strategy: "exponential_backoff" },
    ]);
    expect(retries[0]?.content).toMatchObject({
      value: { errorMessage: "HTTP 429", errorCode: "429" },
    });
    expect(retries[0]?.metadata).toMatchObject({ http_status: 429, retry_after_ms: 1 });
    expect(retries[1]?.metadata).toMatchObject({ http_status: 503 });
    const end = one(events, EventType.MODEL_INVOCATION_END);
    expect(end.status).toBe(EventStatus.COMPLETED);
    expect(end.metadata?.attempts).toBe(3);
  });

  it("ends a call the rate limit outlasted failed, with ERROR, status, type and retry-after; the app gets the SDK's error", async () => {
    const openai = wrapped({ maxRetries: 1 });
    api.failNext(rateLimited, rateLimited);
    const { value: thrown, events } = await inSession(() =>
      openai.chat.completions
        .create({ model: "gpt-fake", messages: [ask] })
        .catch((error) => error),
    );
    expect(thrown).toBeInstanceOf(OpenAI.RateLimitError);
    expect(types(events)).toEqual([
      "SESSION_START",
      "MODEL_INVOCATION_START",
      "RETRY",
      "ERROR",
      "MODEL_INVOCATION_END",
      "SESSION_END",
    ]);
    const error = one(events, EventType.ERROR);
    const end = one(events, EventType.MODEL_INVOCATION_END);
    expect(error.content).toMatchObject({
      value: { errorMessage: "429 Rate limit reached", errorCode: "rate_limit_exceeded" },
    });
    const details = {
      error_kind: "RateLimitError",
      http_status: 429,
      error_type: "requests",
      retry_after_ms: 1,
    };
    expect(error.metadata).toMatchObject(details);
    expect(end.status).toBe(EventStatus.FAILED);
    expect(end.severity).toBe(Severity.ERROR);
    expect(end.metadata).toMatchObject({ ...details, attempts: 2 });
    expect(llm(end).finishReason).toBe("error");
  });

  it("does not retry a bad request, and keeps its error type and param", async () => {
    const openai = wrapped({ maxRetries: 2 });
    api.failNext({
      status: 400,
      error: { message: "Invalid messages", type: "invalid_request_error", param: "messages" },
    });
    const { value: thrown, events } = await inSession(() =>
      openai.chat.completions
        .create({ model: "gpt-fake", messages: [ask] })
        .catch((error) => error),
    );
    expect(thrown).toBeInstanceOf(OpenAI.BadRequestError);
    expect(types(events)).not.toContain("RETRY");
    expect(one(events, EventType.MODEL_INVOCATION_END).metadata).toMatchObject({
      http_status: 400,
      error_type: "invalid_request_error",
      error_param: "messages",
    });
  });

  it("records an abort by the app as abandoned: a warning, no ERROR", async () => {
    const openai = wrapped();
    const controller = new AbortController();
    controller.abort();
    const { value: thrown, events } = await inSession(() =>
      openai.chat.completions
        .create({ model: "gpt-fake", messages: [ask] }, { signal: controller.signal })
        .catch((error) => error),
    );
    expect(thrown).toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(types(events)).not.toContain("ERROR");
    expect(one(events, EventType.MODEL_INVOCATION_END).severity).toBe(Severity.WARN);
  });
});

describe("content capture and the wrapper's own failures", () => {
  it("sends no prompt, response or error message with recordInputs and recordOutputs off", async () => {
    const openai = wrapped({ recordInputs: false, recordOutputs: false, maxRetries: 0 });
    const ok = await inSession(() =>
      openai.chat.completions.create({
        model: TOOL_MODEL,
        messages: [{ role: "user", content: "my secret" }],
      }),
    );
    api.failNext({
      status: 400,
      error: { message: "bad: my secret", type: "invalid_request_error" },
    });
    const failed = await inSession(() =>
      openai.chat.completions
        .create({ model: "gpt-fake", messages: [{ role: "user", content: "my secret" }] })
        .catch((error) => error),
    );
    for (const event of [...ok.events, ...failed.events]) {
      expect(json(event)).not.toContain("secret");
      expect(json(event)).not.toContain("Paris");
    }
    const end = one(ok.events, EventType.MODEL_INVOCATION_END);
    expect(llm(end)).toMatchObject({ promptTokens: 21, finishReason: "tool_calls" });
    expect(end.metadata?.tool_calls).toEqual([{ id: "call_weather_1", name: "get_weather" }]);
    expect(one(failed.events, EventType.ERROR).content).toMatchObject({
      value: { errorMessage: "BadRequestError (message not recorded: recordOutputs is false)" },
    });
  });

  it("never throws its own failure into the app: the call goes on, onError is told", async () => {
    const failures: string[] = [];
    const session = chaukas.startSession();
    // A scope whose builder refuses every event, as a client might refuse an invalid one.
    const refusing = Object.create(session, {
      modelInvocationStart: {
        value: () => {
          throw new Error("refused");
        },
      },
    });
    const openai = wrapOpenAI(newOpenAI(), refusing, {
      onError: (_, where) => failures.push(where),
    });
    const completion = await openai.chat.completions.create({ model: "gpt-fake", messages: [ask] });
    expect(completion.id).toBe("chatcmpl-fake1");
    expect(failures).toEqual(["chat.completions.create"]);
    session.end();
  });

  it("returns the same client, and records a call once when wrapped twice", async () => {
    const client = newOpenAI();
    expect(wrapOpenAI(client, chaukas)).toBe(client);
    expect(wrapOpenAI(client, chaukas)).toBe(client);
    const { events } = await inSession(() =>
      client.chat.completions.create({ model: "gpt-fake", messages: [ask] }),
    );
    expect(types(events).filter((t) => t === "MODEL_INVOCATION_START")).toHaveLength(1);
  });

  it("records the calls of a client derived with withOptions()", async () => {
    const derived = wrapped().withOptions({ timeout: 5000 });
    const { events } = await inSession(() =>
      derived.chat.completions.create({ model: "gpt-fake", messages: [ask] }),
    );
    expect(types(events)).toContain("MODEL_INVOCATION_END");
  });
});

describe("calls left open, and SDK internals the wrapper cannot find", () => {
  it("evicts the oldest open call beyond maxOpenCalls: a promise never awaited, a stream never read", async () => {
    const failures: [string, string][] = [];
    const openai = wrapped({
      maxOpenCalls: 1,
      onError: (error, where) => failures.push([(error as Error).message, where]),
    });
    let streamLeftOpen: { controller: AbortController } | undefined;
    let neverAwaited: PromiseLike<unknown> | undefined;
    const { events } = await inSession(async () => {
      // Never awaited: the SDK sends it, the app never asks for its outcome.
      neverAwaited = openai.chat.completions.create({ model: "gpt-fake", messages: [ask] });
      streamLeftOpen = await openai.chat.completions.create({
        model: "gpt-fake",
        messages: [ask],
        stream: true,
      });
      await openai.chat.completions.create({ model: "gpt-fake", messages: [ask] });
    });
    streamLeftOpen?.controller.abort();
    const ends = events.filter((e) => e.type === EventType.MODEL_INVOCATION_END);
    expect(ends.map((e) => e.status)).toEqual([
      EventStatus.FAILED,
      EventStatus.FAILED,
      EventStatus.COMPLETED,
    ]);
    for (const evicted of ends.slice(0, 2)) {
      expect(evicted.metadata?.error).toEqual({
        message: "call evicted: maxOpenCalls calls were open",
        code: "evicted",
      });
    }
    expect(types(events)).not.toContain("ERROR");
    expect(failures).toEqual([
      ["call evicted: maxOpenCalls calls were open (chat.completions.create)", "maxOpenCalls"],
      ["call evicted: maxOpenCalls calls were open (chat.completions.create)", "maxOpenCalls"],
    ]);
    // The app still gets an evicted call's outcome; nothing more is recorded for it.
    expect(await neverAwaited).toMatchObject({ id: "chatcmpl-fake1" });
    expect((await stored(ends[0]!.sessionId)).length).toBe(events.length);
  });

  it("refuses a maxOpenCalls that is not a positive integer", () => {
    expect(() => wrapOpenAI(newOpenAI(), chaukas, { maxOpenCalls: 0 })).toThrow(
      ChaukasValidationError,
    );
    expect(() => wrapOpenAI(newOpenAI(), chaukas, { maxOpenCalls: 2.5 })).toThrow(/maxOpenCalls/);
  });

  it("without the client's fetch, records calls without their retries and says so once", async () => {
    const failures: [string, string][] = [];
    const client = newOpenAI({ maxRetries: 1 });
    // An SDK that keeps its fetch where the wrapper cannot find it.
    const holder = client as unknown as { fetch?: unknown };
    const fetch = holder.fetch;
    delete holder.fetch;
    wrapOpenAI(client, chaukas, {
      onError: (error, where) => failures.push([(error as Error).message, where]),
    });
    holder.fetch = fetch;
    api.failNext({ status: 503, error: { message: "overloaded", type: "server_error" } });
    const { value, events } = await inSession(async () => {
      await client.chat.completions.create({ model: "gpt-fake", messages: [ask] });
      return client.chat.completions.create({ model: "gpt-fake", messages: [ask] });
    });
    expect(value.id).toBe("chatcmpl-fake1");
    expect(types(events).filter((t) => t !== "SESSION_START" && t !== "SESSION_END")).toEqual([
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
    ]);
    expect(failures).toEqual([
      ["the client has no `fetch` function to wrap: retries are not recorded", "fetch"],
    ]);
  });

  it("without a stream's iterator, records streamed calls without their output and says so once", async () => {
    const failures: [string, string][] = [];
    const client = newOpenAI();
    const completions = client.chat.completions;
    const create = completions.create;
    // An SDK whose Stream keeps its source where the wrapper cannot find it.
    completions.create = function (this: unknown, ...args: Parameters<typeof create>) {
      const promise = create.apply(this, args) as unknown as {
        _thenUnwrap(transform: (value: unknown) => unknown): unknown;
      };
      return promise._thenUnwrap((value) => {
        const stream = value as { iterator?: () => AsyncIterator<unknown> };
        const source = stream.iterator;
        if (source === undefined) return value;
        delete stream.iterator;
        Object.defineProperty(stream, Symbol.asyncIterator, { value: () => source.call(stream) });
        return stream;
      });
    } as typeof create;
    wrapOpenAI(client, chaukas, {
      onError: (error, where) => failures.push([(error as Error).message, where]),
    });
    const { value: texts, events } = await inSession(async () => {
      const texts: string[] = [];
      for (let i = 0; i < 2; i++) {
        const stream = await client.chat.completions.create({
          model: "gpt-fake",
          messages: [ask],
          stream: true,
        });
        let text = "";
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
        texts.push(text);
      }
      return texts;
    });
    expect(texts).toEqual(["Hello stream.", "Hello stream."]);
    const ends = events.filter((e) => e.type === EventType.MODEL_INVOCATION_END);
    expect(ends).toHaveLength(2);
    for (const end of ends) {
      expect(end.status).toBe(EventStatus.COMPLETED);
      expect(end.metadata?.stream_observed).toBe(false);
    }
    expect(failures).toEqual([
      [
        "the SDK's stream has no `iterator` function to observe: streamed calls are recorded without their output",
        "chat.completions.create stream",
      ],
    ]);
  });
});
