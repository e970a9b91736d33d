/** The one place an `Event` is assembled from a builder's parts and the caller's options. */

import type { JsonObject } from "@bufbuild/protobuf";
import {
  type Author,
  type CostDetails,
  type Event,
  EventSchema,
  EventStatus,
  type EventType,
  type PerformanceMetrics,
  type RetryInfo,
  Severity,
} from "@chaukas/spec/common/v1";
import type { FieldPath } from "../validation/field-path.js";
import { toOptionalJsonObject } from "../validation/struct.js";
import type { EventOptions } from "./builder-types.js";
import { timestampAt } from "./clock.js";
import { infrastructureMetrics } from "./content-messages.js";
import type { SpanContext } from "./context-manager.js";
import { uuidv7 } from "./ids.js";
import { copyStrings, type EveryField, given } from "./input-checks.js";

/** What the client stamps on every event it builds. */
export interface EventDefaults {
  readonly tenantId: string;
  readonly projectId: string;
  readonly branch: string;
  readonly tags: readonly string[];
}

/** What some builders attach besides the content (see content-messages.ts). */
export interface EventAttachments {
  readonly retry?: RetryInfo | undefined;
  readonly performance?: PerformanceMetrics | undefined;
  readonly cost?: CostDetails | undefined;
  /** Merged under the caller's `metadata` (the caller's keys win). */
  readonly metadata?: JsonObject | undefined;
}

/** What a builder hands `buildEvent`: where the event sits, what it is, and when. */
export interface EventParts {
  /** The event's span: its `span_id`, `parent_span_id`, session, trace and agent. */
  readonly context: SpanContext;
  readonly type: EventType;
  readonly author: Author;
  readonly content: Event["content"];
  /** The caller's options (tags, metadata, severity and author overrides, ...). */
  readonly options: EventOptions | undefined;
  /** Default: INFO (the caller's `severity` wins). */
  readonly severity?: Severity;
  /** Default: COMPLETED. */
  readonly status?: EventStatus;
  /** Default: none. */
  readonly attachments?: EventAttachments;
  /** The event's `timestamp`, in Unix milliseconds (already checked). */
  readonly timeMs: number;
}

/**
 * Assembles an event. Whatever the caller gives is checked here, where it is read (the
 * options and the context's agent with `checkField`, JSON and string lists copied with paths
 * like `metadata.x`); the content and attachments were checked as they were made. So the built
 * event is not walked again: `validateBuiltEvent` only checks the rules between its fields.
 */
export function buildEvent(defaults: EventDefaults, parts: EventParts): Event {
  const { context, options, attachments = NO_ATTACHMENTS, timeMs } = parts;
  const metadata = toOptionalJsonObject(options?.metadata, "metadata");
  // A literal with every field of Event, in `create(EventSchema)`'s order, rather than `create`
  // copying an init object field by field (see bench/README.md, History). `satisfies` makes a
  // field added to the proto a compile error here.
  return {
    $typeName: EventSchema.typeName,
    eventId: uuidv7(timeMs),
    tenantId: defaults.tenantId,
    projectId: defaults.projectId,
    sessionId: context.sessionId,
    spanId: context.spanId,
    parentSpanId: context.parentSpanId ?? "",
    type: parts.type,
    severity: given(EVENT.severity, options?.severity, parts.severity ?? Severity.INFO, EVENT_PATH),
    status: parts.status ?? EventStatus.COMPLETED,
    author: given(EVENT.author, options?.author, parts.author, EVENT_PATH),
    timestamp: timestampAt(timeMs),
    agentId: given(EVENT.agentId, context.agentId, "", EVENT_PATH),
    agentName: given(EVENT.agentName, context.agentName, "", EVENT_PATH),
    invocationId: given(EVENT.invocationId, options?.invocationId, "", EVENT_PATH),
    responseId: given(EVENT.responseId, options?.responseId, "", EVENT_PATH),
    isPartial: false,
    isFinal: false,
    hashPrev: "",
    contentHash: "",
    wormProofId: "",
    branch: given(EVENT.branch, options?.branch, defaults.branch, EVENT_PATH),
    tags: [...defaults.tags, ...copyStrings(options?.tags, "tags")],
    traceId: context.traceId,
    content: parts.content,
    retry: attachments.retry,
    redaction: undefined,
    piiCategories: copyStrings(options?.piiCategories, "pii_categories"),
    performance: attachments.performance,
    infrastructure:
      options?.infrastructure == null ? undefined : infrastructureMetrics(options.infrastructure),
    cost: attachments.cost,
    metadata: attachments.metadata ? { ...attachments.metadata, ...metadata } : metadata,
    extensions: [],
  } satisfies EveryField<Event> as Event;
}

/** Event's fields by their protobuf-es names (`EVENT.severity`). */
const EVENT = EventSchema.field;
const EVENT_PATH: FieldPath = [];
const NO_ATTACHMENTS: EventAttachments = {};
