import type { JsonObject, MessageInitShape } from "@bufbuild/protobuf";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  type Author,
  CostDetailsSchema,
  type ErrorInfo,
  ErrorInfoSchema,
  type Event,
  EventSchema,
  type EventStatus,
  type EventType,
  InfrastructureMetricsSchema,
  PerformanceMetricsSchema,
  RetryInfoSchema,
  type Severity,
} from "@chaukas/spec/common/v1";
import type { EventOptions } from "./builder-types.js";
import type { SpanContext } from "./context-manager.js";
import { uuidv7 } from "./ids.js";
import { toOptionalJsonObject } from "./struct.js";
import { ChaukasValidationError } from "./validation-error.js";

/** What the client stamps on every event it builds. */
export interface EventDefaults {
  readonly tenantId: string;
  readonly projectId: string;
  readonly branch: string;
  readonly tags: readonly string[];
}

/** The part of an event a builder decides; the rest comes from context and options. */
export interface EventParts {
  readonly type: EventType;
  readonly status: EventStatus;
  readonly severity: Severity;
  readonly author: Author;
  /** Its value is a message (`create(ToolCallSchema, …)`), or a JsonObject for `stateUpdate`. */
  readonly content?: Event["content"];
  readonly retry?: MessageInitShape<typeof RetryInfoSchema>;
  readonly performance?: MessageInitShape<typeof PerformanceMetricsSchema>;
  readonly cost?: MessageInitShape<typeof CostDetailsSchema>;
  /** Merged under the caller's `metadata` (the caller's keys win). */
  readonly metadata?: JsonObject;
  /** Set when the event is about another agent than the context's (AGENT_START). */
  readonly agentId?: string;
  readonly agentName?: string;
  readonly piiCategories?: readonly string[];
}

/**
 * Assembles an event from its context, the builder's parts and the caller's options. JSON
 * inputs are checked and copied here (paths like `metadata.x`), so the later
 * `validateEvent(event, true)` does not walk them again.
 */
export function buildEvent(
  defaults: EventDefaults,
  context: SpanContext | undefined,
  parts: EventParts,
  spanId: string,
  parentSpanId: string,
  options: EventOptions | undefined,
  nowMs: number,
): Event {
  const callerMetadata = toOptionalJsonObject(options?.metadata, "metadata");
  const metadata =
    parts.metadata === undefined ? callerMetadata : { ...parts.metadata, ...callerMetadata };
  const tags =
    options?.tags === undefined
      ? [...defaults.tags]
      : [...defaults.tags, ...copyStrings(options.tags, "tags")];
  const piiCategories = [
    ...(parts.piiCategories ?? []),
    ...(options?.piiCategories === undefined
      ? []
      : copyStrings(options.piiCategories, "pii_categories")),
  ];
  // A literal with every field of Event, in `create(EventSchema)`'s order: V8 allocates it in
  // one step with a fixed shape, where `create` copies an init object field by field (it was
  // ~40% of a builder call). `satisfies` makes a field added to the proto a compile error here.
  return {
    $typeName: EventSchema.typeName,
    eventId: uuidv7(nowMs),
    tenantId: defaults.tenantId,
    projectId: defaults.projectId,
    sessionId: context?.sessionId ?? "",
    spanId,
    parentSpanId,
    type: parts.type,
    severity: options?.severity ?? parts.severity,
    status: parts.status,
    author: options?.author ?? parts.author,
    timestamp: timestampFromMs(nowMs),
    agentId: parts.agentId ?? context?.agentId ?? "",
    agentName: parts.agentName ?? context?.agentName ?? "",
    invocationId: options?.invocationId ?? "",
    responseId: options?.responseId ?? "",
    isPartial: false,
    isFinal: false,
    hashPrev: "",
    contentHash: "",
    wormProofId: "",
    branch: options?.branch ?? defaults.branch,
    tags,
    traceId: context?.traceId ?? "",
    content: parts.content ?? { case: undefined },
    retry: parts.retry && create(RetryInfoSchema, parts.retry),
    redaction: undefined,
    piiCategories,
    performance: parts.performance && create(PerformanceMetricsSchema, parts.performance),
    infrastructure:
      options?.infrastructure == null
        ? undefined
        : create(InfrastructureMetricsSchema, {
            ...options.infrastructure,
            metrics: toOptionalJsonObject(options.infrastructure.metrics, "infrastructure.metrics"),
          }),
    cost: parts.cost && create(CostDetailsSchema, parts.cost),
    metadata,
    extensions: [],
  } satisfies { [K in Exclude<keyof Event, "$unknown">]-?: unknown } as Event;
}

/** Checks a list of strings given by the caller and copies it. */
export function copyStrings(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) {
    throw new ChaukasValidationError(field, "expected an array of strings");
  }
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== "string") {
      throw new ChaukasValidationError(
        `${field}[${i}]`,
        `expected a string, got ${typeof value[i]}`,
      );
    }
  }
  return [...(value as string[])];
}

/** Rejects a required string that is not a string (empty is allowed). */
export function requireText(value: unknown, field: string): string {
  if (typeof value !== "string") {
    throw new ChaukasValidationError(
      field,
      `expected a string, got ${value === null ? "null" : typeof value}`,
    );
  }
  return value;
}

/** Rejects a missing or empty required string. */
export function requireString(value: unknown, field: string): string {
  if (typeof value !== "string" || value === "") {
    throw new ChaukasValidationError(field, "is required and must be a non-empty string");
  }
  return value;
}

/**
 * Describes anything thrown as an `ErrorInfo`. An `Error` gives its message, stack and a
 * `code` property when present; a plain `{ message, code, recoverable, ... }` object is
 * taken field by field; anything else is converted with `String()`.
 */
export function errorInfoFrom(error: unknown): ErrorInfo {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return create(ErrorInfoSchema, {
      errorMessage: error.message === "" ? error.name : error.message,
      errorCode: typeof code === "string" || typeof code === "number" ? String(code) : "",
      stackTrace: error.stack ?? "",
    });
  }
  if (typeof error === "object" && error !== null && "message" in error) {
    const init = error as {
      message: unknown;
      code?: unknown;
      stack?: unknown;
      recoverable?: unknown;
      recoveryAction?: unknown;
    };
    return create(ErrorInfoSchema, {
      errorMessage: String(init.message),
      errorCode:
        typeof init.code === "string" || typeof init.code === "number" ? String(init.code) : "",
      stackTrace: typeof init.stack === "string" ? init.stack : "",
      recoverable: init.recoverable === true,
      recoveryAction: typeof init.recoveryAction === "string" ? init.recoveryAction : "",
    });
  }
  return create(ErrorInfoSchema, { errorMessage: String(error) });
}

/** The `metadata.error` entry of a failed span's END event. */
export function errorMetadata(error: unknown): JsonObject {
  const info = errorInfoFrom(error);
  const entry: JsonObject = { message: info.errorMessage };
  if (info.errorCode !== "") {
    entry.code = info.errorCode;
  }
  return { error: entry };
}
