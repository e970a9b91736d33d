/**
 * Chaukas events as OpenTelemetry spans: a START and its END become one span (the START is held
 * until its END comes, across batches), a point event becomes an event on its parent span while
 * that one is held, else a zero-length span of its own. Ids are the events' own: `trace_id`,
 * `span_id` and `parent_span_id` become the span's trace id, span id and parent.
 */

import { type Event, EventStatus, EventType } from "@chaukas/spec/common/v1";
import type { Attributes, HrTime, SpanContext } from "@opentelemetry/api";
import type { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import type { Resource } from "@opentelemetry/resources";
import {
  chaukasAttributes,
  identityAttributes,
  jsonText,
  withoutEmpty,
} from "./event-attributes.js";

/** The span the OTLP serializer takes (`ReadableSpan` of the SDK it is built with). */
export type OtlpSpan = Parameters<(typeof ProtobufTraceSerializer)["serializeRequest"]>[0][number];
type TimedEvent = OtlpSpan["events"][number];

/** START types and the END type of each. */
const END_OF_START: ReadonlyMap<EventType, EventType> = new Map([
  [EventType.SESSION_START, EventType.SESSION_END],
  [EventType.AGENT_START, EventType.AGENT_END],
  [EventType.MODEL_INVOCATION_START, EventType.MODEL_INVOCATION_END],
  [EventType.TOOL_CALL_START, EventType.TOOL_CALL_END],
  [EventType.MCP_CALL_START, EventType.MCP_CALL_END],
]);
const END_TYPES: ReadonlySet<EventType> = new Set(END_OF_START.values());

/** A START waiting for its END, with the point events that happened on it meanwhile. */
interface OpenSpan {
  readonly start: Event;
  readonly events: TimedEvent[];
}

/** SpanKind.INTERNAL and CLIENT, as numbers: the API package is needed for types only. */
const INTERNAL = 0;
const CLIENT = 2;
/** SpanStatusCode.UNSET and ERROR. */
const UNSET = 0;
const ERROR = 2;

const INSTRUMENTATION_SCOPE = { name: "@chaukas/otel" };

/** Turns batches of events into spans; holds STARTs whose END has not come yet. */
export class SpanAssembler {
  /** STARTs waiting for their END, by trace and span id, oldest first. */
  readonly #open = new Map<string, OpenSpan>();

  constructor(
    private readonly resource: Resource,
    private readonly maxOpenSpans: number,
  ) {}

  /** STARTs held, waiting for their END. */
  get openSpans(): number {
    return this.#open.size;
  }

  /**
   * The spans `event` completes: its span when it is an END or a point event on no held span,
   * none when it is a START (held) or a point event on a held span (it goes with that span). A
   * START beyond `maxOpenSpans` also pushes the oldest held one out as an unfinished span
   * (`chaukas.unfinished`), so memory stays bounded when ENDs never come.
   */
  add(event: Event): OtlpSpan[] {
    const key = keyOf(event.traceId, event.spanId);
    if (END_OF_START.has(event.type)) {
      const evicted = this.#open.size >= this.maxOpenSpans ? this.#oldest() : undefined;
      this.#open.set(key, { start: event, events: [] });
      return evicted ? [this.#unfinished(evicted)] : [];
    }
    if (END_TYPES.has(event.type)) {
      const open = this.#open.get(key);
      this.#open.delete(key);
      return [this.#span(open?.start, event, open?.events ?? [])];
    }
    const parent = this.#open.get(keyOf(event.traceId, event.parentSpanId));
    if (parent === undefined) return [this.#span(undefined, event, [])];
    parent.events.push(spanEvent(event));
    return [];
  }

  /** Every held START as an unfinished span (on shutdown: their END will not come now). */
  drain(): OtlpSpan[] {
    const spans = [...this.#open.values()].map((open) => this.#unfinished(open));
    this.#open.clear();
    return spans;
  }

  #oldest(): OpenSpan | undefined {
    const first = this.#open.entries().next().value;
    if (first === undefined) return undefined;
    this.#open.delete(first[0]);
    return first[1];
  }

  #unfinished(open: OpenSpan): OtlpSpan {
    const span = this.#span(open.start, undefined, open.events);
    return { ...span, attributes: { ...span.attributes, "chaukas.unfinished": true } };
  }

  /**
   * One span from a START and/or its END (or a point event alone as `end`). Without a START, it
   * starts at the END's time less the duration the END records.
   */
  #span(start: Event | undefined, end: Event | undefined, events: TimedEvent[]): OtlpSpan {
    const last = (end ?? start)!;
    const first = start ?? last;
    const endMs = msOf(last);
    const startMs = start ? msOf(start) : endMs - durationMsOf(last);
    const failed = end?.status === EventStatus.FAILED;
    const traceId = idOr(last.traceId, 32, last.eventId);
    const context: SpanContext = {
      traceId,
      spanId: idOr(last.spanId, 16, last.eventId),
      traceFlags: 1,
    };
    const parentSpanId = first.parentSpanId || last.parentSpanId;
    const pointEvent = start === undefined && !END_TYPES.has(last.type);
    const conventions = conventionsOf(start, end);
    const errorEvent = pointEvent && last.type === EventType.ERROR ? [spanEvent(last)] : [];
    return {
      name: conventions.name,
      kind: conventions.kind,
      spanContext: () => context,
      ...(parentSpanId
        ? { parentSpanContext: { traceId, spanId: parentSpanId, traceFlags: 1 } }
        : {}),
      startTime: hrTimeOf(startMs),
      endTime: hrTimeOf(endMs),
      duration: hrTimeOf(Math.max(0, endMs - startMs)),
      status:
        failed || (pointEvent && last.type === EventType.ERROR)
          ? { code: ERROR, message: errorMessageOf(last) }
          : { code: UNSET },
      attributes: {
        ...identityAttributes(last),
        ...conventions.attributes,
        ...(start && end ? chaukasAttributes(start, "chaukas.start.") : {}),
        ...chaukasAttributes(end ?? start!, "chaukas."),
      },
      links: [],
      events: [...events, ...errorEvent],
      ended: true,
      resource: this.resource,
      instrumentationScope: INSTRUMENTATION_SCOPE,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    };
  }
}

const keyOf = (traceId: string, spanId: string) => `${traceId}/${spanId}`;

/** A W3C id of `length` hex digits, or one made from the event id for an event without one. */
function idOr(id: string, length: number, eventId: string): string {
  if (id.length === length) return id;
  return eventId.replaceAll("-", "").slice(-length).padStart(length, "0");
}

/** Unix ms of an event's `timestamp` (fractional: nanoseconds kept). */
function msOf(event: Event): number {
  const { timestamp } = event;
  return timestamp === undefined ? 0 : Number(timestamp.seconds) * 1000 + timestamp.nanos / 1e6;
}

function hrTimeOf(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.floor((ms - seconds * 1000) * 1e6)];
}

/** The duration an END records (model, tool, MCP, performance), in ms; 0 when none. */
function durationMsOf(event: Event): number {
  const { content } = event;
  switch (content.case) {
    case "llmInvocation":
      return content.value.durationMs;
    case "toolResponse":
      return content.value.executionTimeMs;
    case "mcpCall":
      return content.value.executionTimeMs;
    default:
      return event.performance?.durationMs ?? 0;
  }
}

/** The message of a failed END or an ERROR. */
function errorMessageOf(event: Event): string {
  const { content } = event;
  if (content.case === "error") return content.value.errorMessage;
  if (content.case === "toolResponse" && content.value.errorMessage) {
    return content.value.errorMessage;
  }
  const error = (event.metadata?.error ?? {}) as { message?: unknown };
  return typeof error.message === "string" ? error.message : "failed";
}

/** A point event on its parent span: ERROR as the conventions' `exception`, others by type. */
function spanEvent(event: Event): TimedEvent {
  const time = hrTimeOf(msOf(event));
  if (event.content.case === "error") {
    const error = event.content.value;
    return {
      name: "exception",
      time,
      attributes: {
        ...withoutEmpty({
          "exception.message": error.errorMessage,
          "exception.type": error.errorCode,
          "exception.stacktrace": error.stackTrace,
        }),
        ...chaukasAttributes(event, "chaukas."),
      },
    };
  }
  return {
    name: spanNameOfType(event.type),
    time,
    attributes: chaukasAttributes(event, "chaukas."),
  };
}

/** `chaukas.input_received` for INPUT_RECEIVED. */
const spanNameOfType = (type: EventType) => `chaukas.${(EventType[type] ?? "event").toLowerCase()}`;

/** A span's name, kind and convention attributes, from its START and/or END (or a point event). */
function conventionsOf(
  start: Event | undefined,
  end: Event | undefined,
): { name: string; kind: number; attributes: Attributes } {
  const first = (start ?? end)!;
  const last = (end ?? start)!;
  const begun = first.content;
  const ended = last.content;
  switch (first.type) {
    case EventType.MODEL_INVOCATION_START:
    case EventType.MODEL_INVOCATION_END: {
      const request = begun.case === "llmInvocation" ? begun.value : undefined;
      const result = ended.case === "llmInvocation" ? ended.value : undefined;
      const model = request?.model || result?.model || "";
      const usage = (last.metadata?.usage ?? {}) as Record<string, unknown>;
      const count = (key: string) => (typeof usage[key] === "number" ? usage[key] : undefined);
      return {
        name: `chat ${model}`.trim(),
        kind: CLIENT,
        attributes: withoutEmpty({
          "gen_ai.operation.name": "chat",
          "gen_ai.provider.name": request?.provider || result?.provider,
          "gen_ai.request.model": model,
          "gen_ai.request.temperature": request?.temperature || undefined,
          "gen_ai.request.max_tokens": request?.maxTokens || undefined,
          "gen_ai.request.top_p": request?.topP || undefined,
          "gen_ai.request.frequency_penalty": request?.frequencyPenalty || undefined,
          "gen_ai.request.presence_penalty": request?.presencePenalty || undefined,
          "gen_ai.response.id": last.responseId,
          "gen_ai.response.finish_reasons": result?.finishReason
            ? result.finishReason.split(",")
            : undefined,
          "gen_ai.usage.input_tokens": result?.promptTokens,
          "gen_ai.usage.output_tokens": result?.completionTokens,
          "gen_ai.usage.cache_read.input_tokens": count("cache_read_input_tokens"),
          "gen_ai.usage.cache_creation.input_tokens": count("cache_creation_input_tokens"),
          "gen_ai.usage.reasoning.output_tokens": count("reasoning_output_tokens"),
        }),
      };
    }
    case EventType.TOOL_CALL_START:
    case EventType.TOOL_CALL_END: {
      const call = begun.case === "toolCall" ? begun.value : undefined;
      const response = ended.case === "toolResponse" ? ended.value : undefined;
      return {
        name: `execute_tool ${call?.name ?? ""}`.trim(),
        kind: INTERNAL,
        attributes: withoutEmpty({
          "gen_ai.operation.name": "execute_tool",
          "gen_ai.tool.name": call?.name,
          "gen_ai.tool.call.id": call?.id || response?.toolCallId,
          "gen_ai.tool.call.arguments": jsonText(call?.arguments),
          "gen_ai.tool.call.result": jsonText(response?.output),
        }),
      };
    }
    case EventType.AGENT_START:
    case EventType.AGENT_END:
      return {
        name: `invoke_agent ${first.agentName || first.agentId}`.trim(),
        kind: INTERNAL,
        attributes: { "gen_ai.operation.name": "invoke_agent" },
      };
    case EventType.MCP_CALL_START:
    case EventType.MCP_CALL_END: {
      const call = begun.case === "mcpCall" ? begun.value : undefined;
      return {
        name: `${call?.operation ?? "mcp"} ${call?.serverName ?? ""}`.trim(),
        kind: CLIENT,
        attributes: withoutEmpty({
          "mcp.method.name": call?.operation,
          "mcp.protocol.version": call?.protocolVersion,
          "server.address": call?.serverUrl,
        }),
      };
    }
    case EventType.SESSION_START:
    case EventType.SESSION_END:
      return { name: "chaukas.session", kind: INTERNAL, attributes: {} };
    case EventType.DATA_ACCESS: {
      const access = ended.case === "dataAccess" ? ended.value : undefined;
      return {
        name: spanNameOfType(last.type),
        kind: INTERNAL,
        attributes: withoutEmpty({
          "gen_ai.operation.name": "retrieval",
          "gen_ai.data_source.id": access?.datasource,
        }),
      };
    }
    default:
      return { name: spanNameOfType(last.type), kind: INTERNAL, attributes: {} };
  }
}
