/** What every builder works with: the client's runtime, and where a new event's span sits. */

import type { Event } from "@chaukas/spec/common/v1";
import { buildEvent, type EventDefaults, type EventParts } from "./build-event.js";
import type { PointEventOptions } from "./builder-types.js";
import { checkSpanId } from "./caller-ids.js";
import type { ContextManager, SpanContext } from "./context-manager.js";
import { newSpanId, newTraceId } from "./ids.js";
import { epochMsOf } from "./time-input.js";

/** What scopes need from the client: its defaults, its context manager, its queue. */
export interface ScopeRuntime {
  readonly defaults: EventDefaults;
  readonly contextManager: ContextManager;
  /** Validates a built event (Struct fields already checked) and enqueues it. */
  submit(event: Event): void;
}

/** The span a builder's event goes under: the active one, a handle's own, or none. */
export type Parent = SpanContext | undefined;

/** Builds an event and queues it; returns its id. */
export function emit(runtime: ScopeRuntime, parts: EventParts): string {
  const event = buildEvent(runtime.defaults, parts);
  runtime.submit(event);
  return event.eventId;
}

/**
 * The context of a new span under `parent`: same session, trace and agent (unless given), the
 * caller's span id (checked as `span_id`) or a new one. Without a parent, a trace of its own and
 * no session.
 */
export function childContext(
  parent: Parent,
  spanId: unknown,
  agentId = parent?.agentId,
  agentName = parent?.agentName,
): SpanContext {
  return {
    sessionId: parent?.sessionId ?? "",
    traceId: parent?.traceId ?? newTraceId(),
    spanId: spanId === undefined ? newSpanId() : checkSpanId(spanId),
    parentSpanId: parent?.spanId,
    agentId,
    agentName,
  };
}

/** A point event's `time` (checked), else now. */
export function pointTimeMs(options: PointEventOptions | undefined): number {
  const time = options?.time;
  return time === undefined ? Date.now() : epochMsOf(time, "time");
}
