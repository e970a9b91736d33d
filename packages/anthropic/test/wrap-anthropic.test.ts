import Anthropic from "@anthropic-ai/sdk";
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
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type WrapAnthropicOptions, wrapAnthropic } from "../src/index.js";
import {
  type FakeAnthropic,
  OVERLOADED_STREAM_MODEL,
  startFakeAnthropic,
  TOOL_MODEL,
} from "./fake-anthropic.js";

let devserver: DevServer;
let api: FakeAnthropic;
let chaukas: ChaukasClient;

beforeAll(async () => {
  [devserver, api] = await Promise.all([startDevServer({ port: 0 }), startFakeAnthropic()]);
  chaukas = createChaukasClient({
    transport: createNodeTransport({ baseUrl: devserver.url, protocol: "grpc" }),
    tenantId: "acme",
    projectId: `anthropic-${Math.random().toString(36).slice(2)}`,
    contextManager: createAsyncLocalStorageContextManager(),
    flushIntervalMs: 20,
  });
});

afterAll(async () => {
  await chaukas?.shutdown();
  await Promise.all([devserver?.close(), api?.close()]);
});

/** A client of the fake API, as an app makes one (no key of a real account). */
function newAnthropic(options: { maxRetries?: number } = {}): Anthropic {
  return new Anthropic({ apiKey: "sk-ant-test", baseURL: api.url, maxRetries: 0, ...options });
}

function wrapped(options?: WrapAnthropicOptions & { maxRetries?: number }) {
  const { maxRetries, ...wrapOptions } = options ?? {};
  return wrapAnthropic(
    newAnthropic(maxRetries === undefined ? {} : { maxRetries }),
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

const request = {
  model: "claude-fake",
  max_tokens: 256,
  messages: [{ role: "user" as const, content: "Say hello" }],
};

describe("messages.create", () => {
  it("records a call under the active session: model, settings, cache tokens, stop reason, response id", async () => {
    const anthropic = wrapped();
    // Sampling settings the SDK 1.17 types no longer list; older code still sends them.
    const sampled = { ...request, temperature: 0.3, top_p: 0.8 };
    const { value, events, session } = await inSession(() => anthropic.messages.create(sampled));
    const unwrapped = await newAnthropic().messages.create(sampled);
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
    expect(llm(start)).toMatchObject({
      provider: "anthropic",
      model: "claude-fake",
      temperature: 0.3,
      topP: 0.8,
      maxTokens: 256,
      request: { messages: [{ role: "user", content: "Say hello" }] },
    });
    expect(end.responseId).toBe("msg_fake1");
    expect(llm(end)).toMatchObject({
      // input_tokens 12 + cache creation 100 + cache read 200
      promptTokens: 312,
      completionTokens: 7,
      totalTokens: 319,
      finishReason: "end_turn",
      response: { id: "msg_fake1", content: [{ type: "text", text: "Hello from the fake API." }] },
    });
    expect(end.metadata).toEqual({
      operation: "messages.create",
      input_tokens: 12,
      cached_tokens: 200,
      cache_creation_tokens: 100,
      reasoning_tokens: 3,
      response_model: "claude-fake",
    });
  });

  it("records tool_use blocks and thinking", async () => {
    const anthropic = wrapped();
    const { value, events } = await inSession(() =>
      anthropic.messages.create({ ...request, model: TOOL_MODEL }),
    );
    expect(value.stop_reason).toBe("tool_use");
    const end = one(events, EventType.MODEL_INVOCATION_END);
    expect(llm(end).finishReason).toBe("tool_use");
    expect(end.metadata?.tool_calls).toEqual([{ id: "toolu_1", name: "get_weather" }]);
    expect(llm(end).response).toMatchObject({
      content: [
        { type: "thinking", thinking: "The user wants the weather." },
        { type: "text" },
        { type: "tool_use", input: { city: "Paris" } },
      ],
    });
  });

  it("keeps the APIPromise helpers: withResponse() and asResponse()", async () => {
    const anthropic = wrapped();
    const withResponse = await inSession(() => anthropic.messages.create(request).withResponse());
    expect(withResponse.value.data.id).toBe("msg_fake1");
    expect(withResponse.value.response.status).toBe(200);
    expect(llm(one(withResponse.events, EventType.MODEL_INVOCATION_END)).completionTokens).toBe(7);

    const raw = await inSession(async () => {
      const response = await anthropic.messages.create(request).asResponse();
      return (await response.json()) as { id: string };
    });
    expect(raw.value.id).toBe("msg_fake1");
    expect(one(raw.events, EventType.MODEL_INVOCATION_END).metadata).toMatchObject({
      http_status: 200,
      response_read_by_app: true,
    });
  });

  it("opens a session of its own for a call made outside any Chaukas scope", async () => {
    const anthropic = wrapped();
    const before = new Set(devserver.store.events().map((e) => e.eventId));
    await anthropic.messages.create(request);
    await chaukas.flush();
    const added = devserver.store.events().filter((e) => !before.has(e.eventId));
    const start = one(added, EventType.MODEL_INVOCATION_START);
    expect(types(await stored(start.sessionId))).toEqual([
      "SESSION_START",
      "MODEL_INVOCATION_START",
      "MODEL_INVOCATION_END",
      "SESSION_END",
    ]);
  });
});

describe("streamed messages", () => {
  it("end when the stream ends, with the text, the usage of message_delta and time to first token", async () => {
    const anthropic = wrapped();
    const { value: text, events } = await inSession(async () => {
      const stream = await anthropic.messages.create({ ...request, stream: true });
      let text = "";
      for await (const event of stream) {
        if (event.type === "content_block_delta" && event.delta.type === "text_delta") {
          text += event.delta.text;
        }
      }
      return text;
    });
    expect(text).toBe("Hello stream.");
    const end = one(events, EventType.MODEL_INVOCATION_END);
    expect(end.status).toBe(EventStatus.COMPLETED);
    expect(llm(end)).toMatchObject({
      promptTokens: 312,
      completionTokens: 7,
      finishReason: "end_turn",
      response: { content: [{ type: "text", text: "Hello stream." }] },
    });
    expect(end.metadata).toMatchObject({ stream: true, cached_tokens: 200, reasoning_tokens: 3 });
    expect(end.metadata?.time_to_first_token_ms).toBeGreaterThanOrEqual(0);
  });

  it("keep messages.stream(): its events, finalMessage() and the tool input streamed as JSON", async () => {
    const anthropic = wrapped();
    const { value, events } = await inSession(async () => {
      const stream = anthropic.messages.stream({ ...request, model: TOOL_MODEL });
      const thinking: string[] = [];
      stream.on("thinking", (delta) => thinking.push(delta));
      const final = await stream.finalMessage();
      return { thinking: thinking.join(""), final };
    });
    expect(value.thinking).toBe("The user wants the weather.");
    expect(value.final.content.at(-1)).toMatchObject({
      type: "tool_use",
      input: { city: "Paris" },
    });
    const end = one(events, EventType.MODEL_INVOCATION_END);
    expect(end.metadata?.tool_calls).toEqual([{ id: "toolu_1", name: "get_weather" }]);
    expect(llm(end).response).toMatchObject({
      content: [
        { type: "thinking", thinking: "The user wants the weather.", signature: "sig-1" },
        { type: "tool_use", id: "toolu_1", input: { city: "Paris" } },
      ],
    });
  });

  it("end as abandoned (a warning, no ERROR) when the app stops reading", async () => {
    const anthropic = wrapped();
    const { events } = await inSession(async () => {
      const stream = await anthropic.messages.create({ ...request, stream: true });
      for await (const event of stream) if (event.type === "content_block_delta") break;
    });
    expect(types(events)).not.toContain("ERROR");
    const end = one(events, EventType.MODEL_INVOCATION_END);
    expect(end.status).toBe(EventStatus.FAILED);
    expect(end.severity).toBe(Severity.WARN);
    expect(llm(end).response).toMatchObject({ content: [{ text: "Hello " }] });
  });

  it("fail with ERROR on an error event, and the app gets the SDK's error", async () => {
    const anthropic = wrapped();
    const { value: thrown, events } = await inSession(async () => {
      const stream = await anthropic.messages.create({
        ...request,
        model: OVERLOADED_STREAM_MODEL,
        stream: true,
      });
      try {
        for await (const _ of stream);
      } catch (error) {
        return error;
      }
    });
    expect(thrown).toBeInstanceOf(Anthropic.APIError);
    expect(one(events, EventType.ERROR).metadata).toMatchObject({ error_type: "overloaded_error" });
    const end = one(events, EventType.MODEL_INVOCATION_END);
    expect(end.status).toBe(EventStatus.FAILED);
    expect(llm(end).response).toMatchObject({ content: [{ text: "Hello stream." }] });
  });
});

describe("API errors and the SDK's retries", () => {
  const rateLimited = {
    status: 429,
    headers: { "retry-after-ms": "1" },
    error: { type: "rate_limit_error", message: "Rate limited" },
  };

  it("records each retry the SDK makes, then the call that succeeded", async () => {
    const anthropic = wrapped({ maxRetries: 2 });
    api.failNext(rateLimited);
    const { events } = await inSession(() => anthropic.messages.create(request));
    expect(types(events)).toEqual([
      "SESSION_START",
      "MODEL_INVOCATION_START",
      "RETRY",
      "MODEL_INVOCATION_END",
      "SESSION_END",
    ]);
    const retry = one(events, EventType.RETRY);
    expect(retry.retry).toMatchObject({ attempt: 2, strategy: "retry_after" });
    expect(retry.metadata).toMatchObject({ http_status: 429, retry_after_ms: 1 });
    expect(one(events, EventType.MODEL_INVOCATION_END).metadata?.attempts).toBe(2);
  });

  it("ends a call the rate limit outlasted failed, with ERROR and the error's type; the app gets the SDK's error", async () => {
    const anthropic = wrapped({ maxRetries: 1 });
    api.failNext(rateLimited, rateLimited);
    const { value: thrown, events } = await inSession(() =>
      anthropic.messages.create(request).catch((error) => error),
    );
    expect(thrown).toBeInstanceOf(Anthropic.RateLimitError);
    const details = {
      error_kind: "RateLimitError",
      http_status: 429,
      error_type: "rate_limit_error",
      retry_after_ms: 1,
    };
    expect(one(events, EventType.ERROR).metadata).toMatchObject(details);
    const end = one(events, EventType.MODEL_INVOCATION_END);
    expect(end.status).toBe(EventStatus.FAILED);
    expect(end.metadata).toMatchObject({ ...details, attempts: 2 });
  });
});

describe("content capture and the wrapper's own failures", () => {
  it("sends no prompt, content or error message with recordInputs and recordOutputs off", async () => {
    const anthropic = wrapped({ recordInputs: false, recordOutputs: false });
    const secret = { ...request, messages: [{ role: "user" as const, content: "my secret" }] };
    const ok = await inSession(() => anthropic.messages.create({ ...secret, model: TOOL_MODEL }));
    api.failNext({ status: 400, error: { type: "invalid_request_error", message: "my secret" } });
    const failed = await inSession(() => anthropic.messages.create(secret).catch((e) => e));
    for (const event of [...ok.events, ...failed.events]) {
      expect(json(event)).not.toContain("secret");
      expect(json(event)).not.toContain("Paris");
    }
    const end = one(ok.events, EventType.MODEL_INVOCATION_END);
    expect(end.metadata?.tool_calls).toEqual([{ id: "toolu_1", name: "get_weather" }]);
    expect(one(failed.events, EventType.ERROR).metadata).toMatchObject({
      error_type: "invalid_request_error",
    });
  });

  it("never throws its own failure into the app, and records a call once when wrapped twice", async () => {
    const failures: string[] = [];
    const session = chaukas.startSession();
    const refusing = Object.create(session, {
      modelInvocationStart: {
        value: () => {
          throw new Error("refused");
        },
      },
    });
    const client = newAnthropic();
    expect(wrapAnthropic(client, refusing, { onError: (_, where) => failures.push(where) })).toBe(
      client,
    );
    expect(wrapAnthropic(client, chaukas)).toBe(client);
    const message = await client.messages.create(request);
    expect(message.id).toBe("msg_fake1");
    expect(failures).toEqual(["messages.create"]);
    session.end();
  });
});

describe("calls left open, and SDK internals the wrapper cannot find", () => {
  it("evicts the oldest open call beyond maxOpenCalls: a promise never awaited, a stream never read", async () => {
    const failures: [string, string][] = [];
    const anthropic = wrapped({
      maxOpenCalls: 1,
      onError: (error, where) => failures.push([(error as Error).message, where]),
    });
    let streamLeftOpen: { controller: AbortController } | undefined;
    let neverAwaited: PromiseLike<unknown> | undefined;
    const { events } = await inSession(async () => {
      // Never awaited: the SDK sends it, the app never asks for its outcome.
      neverAwaited = anthropic.messages.create(request);
      streamLeftOpen = await anthropic.messages.create({ ...request, stream: true });
      await anthropic.messages.create(request);
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
      ["call evicted: maxOpenCalls calls were open (messages.create)", "maxOpenCalls"],
      ["call evicted: maxOpenCalls calls were open (messages.create)", "maxOpenCalls"],
    ]);
    // The app still gets an evicted call's outcome; nothing more is recorded for it.
    expect(await neverAwaited).toMatchObject({ type: "message" });
    expect((await stored(ends[0]!.sessionId)).length).toBe(events.length);
  });

  it("refuses a maxOpenCalls that is not a positive integer", () => {
    expect(() => wrapAnthropic(newAnthropic(), chaukas, { maxOpenCalls: -1 })).toThrow(
      ChaukasValidationError,
    );
    expect(() => wrapAnthropic(newAnthropic(), chaukas, { maxOpenCalls: 0.5 })).toThrow(
      /maxOpenCalls/,
    );
  });

  it("without a stream's iterator, records streamed calls without their output and says so once", async () => {
    const failures: [string, string][] = [];
    const client = newAnthropic();
    const messages = client.messages;
    const create = messages.create;
    // An SDK whose Stream keeps its source where the wrapper cannot find it.
    messages.create = function (this: unknown, ...args: Parameters<typeof create>) {
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
    wrapAnthropic(client, chaukas, {
      onError: (error, where) => failures.push([(error as Error).message, where]),
    });
    const { value: counts, events } = await inSession(async () => {
      const counts: number[] = [];
      for (let i = 0; i < 2; i++) {
        const stream = await client.messages.create({ ...request, stream: true });
        let count = 0;
        for await (const _ of stream) count++;
        counts.push(count);
      }
      return counts;
    });
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[1]).toBe(counts[0]);
    const ends = events.filter((e) => e.type === EventType.MODEL_INVOCATION_END);
    expect(ends).toHaveLength(2);
    for (const end of ends) {
      expect(end.status).toBe(EventStatus.COMPLETED);
      expect(end.metadata?.stream_observed).toBe(false);
    }
    expect(failures).toEqual([
      [
        "the SDK's stream has no `iterator` function to observe: streamed calls are recorded without their output",
        "messages.create stream",
      ],
    ]);
  });
});
