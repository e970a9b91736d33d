// A small client of our own that behaves on the wire as the Python chaukas-sdk 0.1.0 does (its
// source: chaukasai/chaukas-sdk, tag v0.1.0: core/client.py, config.py, event_builder.py,
// tracer.py, utils/uuid7.py). CI cannot install the Python package; this reproduces what it
// sends, written from reading it, not copied:
// - events: built as its EventBuilder builds them (UUIDv7 string ids, a new span id per event,
//   END events reusing their START's span, every event but the session's parented on the
//   session span, failed ENDs carrying `error` content, which replaces the `tool_response` /
//   `llm_invocation` they set first, both being cases of one oneof);
// - requests: `POST {endpoint}/events` with one `IngestEventRequest` when one event is queued,
//   `POST {endpoint}/events/batch` with an `IngestEventBatchRequest` (batch_id a UUIDv7, the
//   batch timestamp now) for more, binary protobuf, with the headers of its httpx.AsyncClient;
// - delivery: a queue flushed at 20 events (and on flush/close); on a 503 whose body says
//   "high memory usage" the batch is sent again in halves; on any other failure the whole batch
//   goes back to the front of the queue and is resent, with what was queued since, next time.
import * as net from "node:net";
import { create, type JsonObject, toBinary } from "@bufbuild/protobuf";
import { type Timestamp, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { uuidv7 } from "@chaukas/client/integration";
import { IngestEventBatchRequestSchema, IngestEventRequestSchema } from "@chaukas/spec/client/v1";
import {
  AgentHandoffSchema,
  Author,
  DataAccessSchema,
  ErrorInfoSchema,
  type Event,
  EventSchema,
  EventStatus,
  EventType,
  LLMInvocationSchema,
  MCPCallSchema,
  MessageContentSchema,
  PolicyDecisionSchema,
  RetryInfoSchema,
  Severity,
  ToolCallSchema,
  ToolResponseSchema,
} from "@chaukas/spec/common/v1";

/** What chaukas-sdk reads from CHAUKAS_* (only what shapes the requests). */
export interface SdkConfig {
  /** CHAUKAS_ENDPOINT, e.g. "http://127.0.0.1:50051" (a trailing slash is dropped). */
  readonly endpoint: string;
  readonly apiKey: string;
  readonly tenantId: string;
  readonly projectId: string;
  /** CHAUKAS_BATCH_SIZE. Default: 20. */
  readonly batchSize?: number;
  /** CHAUKAS_MIN_BATCH_SIZE: the smallest half a split makes. Default: 1. */
  readonly minBatchSize?: number;
  readonly branch?: string;
  readonly tags?: readonly string[];
}

// ── requests, as httpx writes them ───────────────────────────────────────

/**
 * The bytes of one request as httpx (0.24 and later, without brotli or zstandard installed)
 * writes it for `AsyncClient(headers={Authorization, Content-Type, User-Agent}).post(url,
 * content=bytes)`: `Host` first, then the client's defaults in their order (`Accept`,
 * `Accept-Encoding`, `Connection`, `User-Agent`, the SDK's value replacing httpx's in place),
 * then the SDK's other headers, then `Content-Length`, names cased as given.
 */
export function httpxPostBytes(url: string, apiKey: string, body: Uint8Array): Buffer {
  const { host, pathname, search } = new URL(url);
  const head = [
    `POST ${pathname}${search} HTTP/1.1`,
    `Host: ${host}`,
    "Accept: */*",
    "Accept-Encoding: gzip, deflate",
    "Connection: keep-alive",
    "User-Agent: chaukas-sdk/0.1.0",
    `Authorization: Bearer ${apiKey}`,
    "Content-Type: application/x-protobuf",
    `Content-Length: ${body.byteLength}`,
    "",
    "",
  ].join("\r\n");
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
}

/** An HTTP/1.1 answer: status, headers (lower-case names), body text. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
}

/** Writes `request` on a new connection to `url`'s host and reads one answer. */
export function exchange(url: string, request: Buffer): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname.replace(/^\[|\]$/g, ""));
    let received = Buffer.alloc(0);
    const finish = (answer: RawAnswer) => {
      socket.destroy();
      resolve(answer);
    };
    socket.on("error", reject);
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf("\r\n\r\n");
      if (end === -1) return;
      const [statusLine, ...lines] = received.subarray(0, end).toString("latin1").split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers["content-length"] ?? 0);
      if (received.length - end - 4 < length) return;
      const text = received.subarray(end + 4, end + 4 + length).toString("utf8");
      finish({ status: Number(statusLine!.split(" ")[1]), headers, text });
    });
    socket.write(request);
  });
}

// ── the client: queue, batches, what it does on failure ───────────────────

/** What the client posted, in order: path, events, the answer. */
export interface Posted {
  readonly path: "/events" | "/events/batch";
  readonly events: readonly Event[];
  readonly answer: RawAnswer;
}

export interface SdkClient {
  /** Queues an event; sends the queue when it holds `batchSize`. */
  sendEvent(event: Event): Promise<void>;
  /** Sends the queue now. A failed send puts the batch back at the front of the queue. */
  flush(): Promise<void>;
  /** Flushes; then queued events are the ones chaukas-sdk would lose at exit. */
  close(): Promise<void>;
  /** Events queued and not yet delivered. */
  readonly queued: readonly Event[];
  readonly posted: readonly Posted[];
}

/** The phrase in a 503 on which chaukas-sdk splits a batch in halves. */
const SPLIT_PHRASE = "high memory usage";

class HttpStatusError extends Error {
  constructor(readonly answer: RawAnswer) {
    super(`HTTP ${answer.status}: ${answer.text.slice(0, 200)}`);
  }
}

export function createSdkClient(config: SdkConfig): SdkClient {
  const endpoint = config.endpoint.replace(/\/+$/, "");
  const batchSize = config.batchSize ?? 20;
  const minBatchSize = config.minBatchSize ?? 1;
  let queue: Event[] = [];
  const posted: Posted[] = [];

  /** One request: a single event to /events, two or more as a batch to /events/batch. */
  async function post(events: readonly Event[]): Promise<void> {
    const single = events.length === 1;
    const path = single ? "/events" : "/events/batch";
    const body = single
      ? toBinary(IngestEventRequestSchema, create(IngestEventRequestSchema, { event: events[0]! }))
      : toBinary(
          IngestEventBatchRequestSchema,
          create(IngestEventBatchRequestSchema, {
            eventBatch: { events: [...events], batchId: uuidv7(), timestamp: now() },
          }),
        );
    const answer = await exchange(
      endpoint,
      httpxPostBytes(`${endpoint}${path}`, config.apiKey, body),
    );
    posted.push({ path, events, answer });
    if (answer.status >= 400) throw new HttpStatusError(answer); // raise_for_status()
  }

  /** A send with the one retry it knows: halves on "high memory usage", else give up. */
  async function sendWithSplit(events: readonly Event[]): Promise<void> {
    try {
      await post(events);
    } catch (error) {
      const answer = (error as HttpStatusError).answer;
      const split =
        answer?.status === 503 &&
        answer.text.toLowerCase().includes(SPLIT_PHRASE) &&
        events.length > minBatchSize;
      if (!split) throw error;
      const half = Math.max(Math.floor(events.length / 2), minBatchSize);
      for (let i = 0; i < events.length; i += half) await post(events.slice(i, i + half));
    }
  }

  async function flush(): Promise<void> {
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    try {
      await sendWithSplit(batch);
    } catch {
      queue = [...batch, ...queue]; // kept for the next flush, whole
    }
  }

  return {
    async sendEvent(event) {
      queue.push(event);
      if (queue.length >= batchSize) await flush();
    },
    flush,
    close: flush,
    get queued() {
      return queue;
    },
    posted,
  };
}

// ── events, as its EventBuilder builds them ───────────────────────────────

/** The context its tracer keeps in contextvars: session, trace, the parent span of new events. */
export interface SdkContext {
  sessionId: string | undefined;
  traceId: string | undefined;
  parentSpanId: string | undefined;
}

/** `Timestamp.GetCurrentTime()`: the wall clock, to the microsecond. */
export function now(): Timestamp {
  const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const timestamp = timestampFromMs(Math.floor(micros / 1000));
  timestamp.nanos = (micros % 1_000_000) * 1000;
  return timestamp;
}

interface BaseInit {
  readonly type: EventType;
  readonly severity?: Severity;
  readonly status?: EventStatus;
  readonly author?: Author;
  readonly agentId?: string;
  readonly agentName?: string;
}

export function createEventBuilder(config: SdkConfig, context: SdkContext) {
  /** START span ids kept for their END, by kind and key (session, agent). */
  const spans = new Map<string, string>();

  function base(init: BaseInit): Event {
    const event = create(EventSchema, {
      eventId: uuidv7(),
      tenantId: config.tenantId,
      projectId: config.projectId,
      sessionId: context.sessionId ?? uuidv7(),
      traceId: context.traceId ?? uuidv7(),
      spanId: uuidv7(),
      parentSpanId: context.parentSpanId ?? "",
      type: init.type,
      severity: init.severity ?? Severity.INFO,
      status: init.status ?? EventStatus.STARTED,
      author: init.author ?? Author.SYSTEM,
      timestamp: now(),
      agentId: init.agentId ?? "",
      agentName: init.agentName ?? "",
      branch: config.branch ?? "",
      tags: [...(config.tags ?? [])],
    });
    return event;
  }

  const failedOr = (error: string | undefined) =>
    error ? EventStatus.FAILED : EventStatus.COMPLETED;
  /** What a failed END carries instead of its own content. */
  const errorContent = (message: string): Event["content"] => ({
    case: "error",
    value: create(ErrorInfoSchema, { errorMessage: message, recoverable: true }),
  });

  return {
    sessionStart(metadata: JsonObject): Event {
      const event = base({ type: EventType.SESSION_START });
      event.parentSpanId = ""; // always a root
      spans.set("session", event.spanId);
      event.metadata = metadata;
      return event;
    },
    sessionEnd(spanId: string, metadata: JsonObject): Event {
      const event = base({ type: EventType.SESSION_END, status: EventStatus.COMPLETED });
      event.parentSpanId = "";
      event.spanId = spanId;
      event.metadata = metadata;
      return event;
    },
    agentStart(agentId: string, agentName: string, metadata: JsonObject): Event {
      const event = base({
        type: EventType.AGENT_START,
        author: Author.AGENT,
        agentId,
        agentName,
      });
      spans.set(`agent:${agentId}`, event.spanId);
      event.metadata = metadata;
      return event;
    },
    agentEnd(agentId: string, agentName: string, metadata: JsonObject): Event {
      const event = base({
        type: EventType.AGENT_END,
        status: EventStatus.COMPLETED,
        author: Author.AGENT,
        agentId,
        agentName,
      });
      const start = spans.get(`agent:${agentId}`);
      if (start !== undefined) {
        event.spanId = start;
        spans.delete(`agent:${agentId}`);
      }
      event.metadata = metadata;
      return event;
    },
    agentHandoff(from: [id: string, name: string], to: [id: string, name: string], reason: string) {
      const event = base({
        type: EventType.AGENT_HANDOFF,
        status: EventStatus.COMPLETED,
        author: Author.AGENT,
        agentId: from[0],
        agentName: from[1],
      });
      event.content = {
        case: "agentHandoff",
        value: create(AgentHandoffSchema, {
          fromAgentId: from[0],
          fromAgentName: from[1],
          toAgentId: to[0],
          toAgentName: to[1],
          reason,
          handoffType: "sequential",
        }),
      };
      return event;
    },
    modelStart(agent: [string, string], provider: string, model: string, messages: JsonObject[]) {
      const event = base({
        type: EventType.MODEL_INVOCATION_START,
        author: Author.LLM,
        agentId: agent[0],
        agentName: agent[1],
      });
      event.content = {
        case: "llmInvocation",
        value: create(LLMInvocationSchema, {
          provider,
          model,
          temperature: 0.7,
          maxTokens: 1024,
          request: { messages, temperature: 0.7, max_tokens: 1024 },
          startTime: event.timestamp,
        }),
      };
      return event;
    },
    modelEnd(
      agent: [string, string],
      spanId: string,
      provider: string,
      model: string,
      result: { content?: string; tokens?: [number, number]; error?: string },
    ) {
      const event = base({
        type: EventType.MODEL_INVOCATION_END,
        status: failedOr(result.error),
        author: Author.LLM,
        agentId: agent[0],
        agentName: agent[1],
      });
      event.spanId = spanId;
      const response: JsonObject = {};
      if (result.content) response.content = result.content;
      response.finish_reason = "stop";
      if (result.error) response.error = result.error;
      event.content = {
        case: "llmInvocation",
        value: create(LLMInvocationSchema, {
          provider,
          model,
          finishReason: "stop",
          response,
          promptTokens: result.tokens?.[0] ?? 0,
          completionTokens: result.tokens?.[1] ?? 0,
          totalTokens: (result.tokens?.[0] ?? 0) + (result.tokens?.[1] ?? 0),
          endTime: event.timestamp,
          durationMs: 812.5,
        }),
      };
      if (result.error) event.content = errorContent(result.error);
      return event;
    },
    toolStart(agent: [string, string], name: string, args: JsonObject, callId: string) {
      const event = base({
        type: EventType.TOOL_CALL_START,
        author: Author.TOOL,
        agentId: agent[0],
        agentName: agent[1],
      });
      event.content = {
        case: "toolCall",
        value: create(ToolCallSchema, {
          name,
          arguments: args,
          id: callId,
        }),
      };
      return event;
    },
    toolEnd(
      agent: [string, string],
      spanId: string,
      callId: string,
      result: { output?: string; error?: string },
    ) {
      const event = base({
        type: EventType.TOOL_CALL_END,
        status: failedOr(result.error),
        author: Author.TOOL,
        agentId: agent[0],
        agentName: agent[1],
      });
      event.spanId = spanId;
      event.content = {
        case: "toolResponse",
        value: create(ToolResponseSchema, {
          toolCallId: callId,
          ...(result.output === undefined ? {} : { output: { output: result.output } }),
          ...(result.error === undefined ? {} : { errorMessage: result.error }),
          executionTimeMs: 41.5,
        }),
      };
      if (result.error) event.content = errorContent(result.error);
      return event;
    },
    mcpStart(agent: [string, string], server: string, url: string, operation: string) {
      const event = base({
        type: EventType.MCP_CALL_START,
        agentId: agent[0],
        agentName: agent[1],
      });
      event.content = {
        case: "mcpCall",
        value: create(MCPCallSchema, {
          serverName: server,
          serverUrl: url,
          operation,
          method: "POST",
          request: { uri: "file:///notes/today.md" },
          protocolVersion: "2025-03-26",
        }),
      };
      return event;
    },
    mcpEnd(
      agent: [string, string],
      spanId: string,
      server: string,
      url: string,
      operation: string,
    ) {
      const event = base({
        type: EventType.MCP_CALL_END,
        status: EventStatus.COMPLETED,
        agentId: agent[0],
        agentName: agent[1],
      });
      event.spanId = spanId;
      event.content = {
        case: "mcpCall",
        value: create(MCPCallSchema, {
          serverName: server,
          serverUrl: url,
          operation,
          method: "POST",
          response: { bytes: 512, mime_type: "text/markdown" },
          executionTimeMs: 12.25,
        }),
      };
      return event;
    },
    input(agent: [string, string], text: string): Event {
      const event = base({
        type: EventType.INPUT_RECEIVED,
        status: EventStatus.COMPLETED,
        author: Author.USER,
        agentId: agent[0],
        agentName: agent[1],
      });
      event.content = {
        case: "message",
        value: create(MessageContentSchema, { role: "user", text }),
      };
      return event;
    },
    output(agent: [string, string], text: string): Event {
      const event = base({
        type: EventType.OUTPUT_EMITTED,
        status: EventStatus.COMPLETED,
        author: Author.AGENT,
        agentId: agent[0],
        agentName: agent[1],
      });
      event.content = {
        case: "message",
        value: create(MessageContentSchema, { role: "assistant", text }),
      };
      return event;
    },
    error(agent: [string, string], message: string, code: string): Event {
      const event = base({
        type: EventType.ERROR,
        severity: Severity.ERROR,
        status: EventStatus.FAILED,
        agentId: agent[0],
        agentName: agent[1],
      });
      event.content = {
        case: "error",
        value: create(ErrorInfoSchema, {
          errorMessage: message,
          errorCode: code,
          recoverable: true,
        }),
      };
      return event;
    },
    retry(agent: [string, string], attempt: number, backoffMs: number, reason: string): Event {
      const event = base({
        type: EventType.RETRY,
        severity: Severity.WARN,
        status: EventStatus.IN_PROGRESS,
        agentId: agent[0],
        agentName: agent[1],
      });
      event.retry = create(RetryInfoSchema, {
        attempt,
        strategy: "exponential",
        backoffMs,
      });
      event.metadata = { retry_reason: reason };
      return event;
    },
    policy(agent: [string, string], policyId: string, outcome: string, ruleIds: string[]) {
      const event = base({
        type: EventType.POLICY_DECISION,
        status: EventStatus.COMPLETED,
        agentId: agent[0],
        agentName: agent[1],
      });
      event.content = {
        case: "policy",
        value: create(PolicyDecisionSchema, { policyId, outcome, ruleIds }),
      };
      return event;
    },
    dataAccess(agent: [string, string], datasource: string, documentIds: string[], pii: string[]) {
      const event = base({
        type: EventType.DATA_ACCESS,
        status: EventStatus.COMPLETED,
        agentId: agent[0],
        agentName: agent[1],
      });
      event.content = {
        case: "dataAccess",
        value: create(DataAccessSchema, {
          datasource,
          documentIds,
          piiCategories: pii,
        }),
      };
      event.piiCategories = [...pii]; // also on the event itself
      return event;
    },
    stateUpdate(agent: [string, string], state: JsonObject): Event {
      const event = base({
        type: EventType.STATE_UPDATE,
        status: EventStatus.COMPLETED,
        agentId: agent[0],
        agentName: agent[1],
      });
      event.content = { case: "stateUpdate", value: state };
      return event;
    },
    system(message: string, metadata: JsonObject): Event {
      const event = base({ type: EventType.SYSTEM, status: EventStatus.COMPLETED });
      event.metadata = { ...metadata, message }; // the text is in metadata.message
      return event;
    },
  };
}
