import type { DescField, JsonObject, Message } from "@bufbuild/protobuf";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  type Author,
  type CostDetails,
  type ErrorInfo,
  type Event,
  EventSchema,
  EventStatus,
  type EventType,
  type PerformanceMetrics,
  type RetryInfo,
  Severity,
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

/** What some builders attach besides the content (messages made with `subMessage`). */
export interface EventAttachments {
  readonly retry?: RetryInfo | undefined;
  readonly performance?: PerformanceMetrics | undefined;
  readonly cost?: CostDetails | undefined;
  /** Merged under the caller's `metadata` (the caller's keys win). */
  readonly metadata?: JsonObject | undefined;
}

/**
 * Assembles an event on `context`'s span (its `span_id`, `parent_span_id`, session, trace
 * and agent) from the builder's type, author, content and attachments and the caller's
 * options. The caller's JSON and string lists are checked and copied here (paths like
 * `metadata.x`), so the later `validateBuiltEvent` does not walk them again.
 */
export function buildEvent(
  defaults: EventDefaults,
  context: SpanContext,
  type: EventType,
  author: Author,
  content: Event["content"],
  options: EventOptions | undefined,
  severity: Severity = Severity.INFO,
  status: EventStatus = EventStatus.COMPLETED,
  attachments: EventAttachments = {},
  nowMs: number = Date.now(),
): Event {
  const metadata = toOptionalJsonObject(options?.metadata, "metadata");
  // A literal with every field of Event, in `create(EventSchema)`'s order, rather than `create`
  // copying an init object field by field (see bench/README.md, History). `satisfies` makes a
  // field added to the proto a compile error here.
  return {
    $typeName: EventSchema.typeName,
    eventId: uuidv7(nowMs),
    tenantId: defaults.tenantId,
    projectId: defaults.projectId,
    sessionId: context.sessionId,
    spanId: context.spanId,
    parentSpanId: context.parentSpanId ?? "",
    type,
    severity: options?.severity ?? severity,
    status,
    author: options?.author ?? author,
    timestamp: timestampFromMs(nowMs),
    agentId: context.agentId ?? "",
    agentName: context.agentName ?? "",
    invocationId: options?.invocationId ?? "",
    responseId: options?.responseId ?? "",
    isPartial: false,
    isFinal: false,
    hashPrev: "",
    contentHash: "",
    wormProofId: "",
    branch: options?.branch ?? defaults.branch,
    tags: [...defaults.tags, ...copyStrings(options?.tags, "tags")],
    traceId: context.traceId,
    content,
    retry: attachments.retry,
    redaction: undefined,
    piiCategories: copyStrings(options?.piiCategories, "pii_categories"),
    performance: attachments.performance,
    infrastructure:
      options?.infrastructure == null
        ? undefined
        : subMessage("infrastructure", options.infrastructure),
    cost: attachments.cost,
    metadata: attachments.metadata ? { ...attachments.metadata, ...metadata } : metadata,
    extensions: [],
  } satisfies { [K in Exclude<keyof Event, "$unknown">]-?: unknown } as Event;
}

/**
 * The message of Event field `field` (`toolCall`, `retry`, `infrastructure`, ...) from a
 * caller's input (a non-object counts as empty; `null` as not set) and the builder's own
 * values (`init` wins; none may be `undefined` but message fields). Fields named in
 * `required` must be non-empty strings; string lists are copied and Struct fields checked and
 * copied (`toJsonObject`), each error naming its proto path (`tool_call.arguments.q`). Other
 * fields are taken as given: validation checks their types.
 */
export function subMessage<T extends Message>(
  field: string,
  input: unknown,
  init?: object,
  required: readonly string[] = [],
): T {
  const { name, message } = (EventSchema.field as Record<string, DescField>)[field]!;
  // A message of the caller's input (its other properties ignored), then the builder's values.
  type Fields = Record<string, unknown>;
  const value: Fields = create(message!, (typeof input === "object" ? input : null) as Fields);
  for (const key in init) value[key] = (init as Fields)[key];
  for (const f of message!.fields) {
    const key = f.localName;
    // Struct fields are JsonObject in protobuf-es; create() keeps the caller's object.
    const struct = f.message?.typeName === "google.protobuf.Struct";
    if (struct || f.fieldKind === "list" || required.includes(key)) {
      const path = `${name}.${f.name}`;
      value[key] = struct
        ? toOptionalJsonObject(value[key], path)
        : f.fieldKind === "list"
          ? copyStrings(value[key], path)
          : requireString(value[key], path);
    }
  }
  return value as T;
}

/** Checks a list of strings given by the caller and copies it; `undefined` is an empty list. */
export function copyStrings(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new ChaukasValidationError(field, "expected an array of strings");
  }
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== "string") requireString(value[i], `${field}[${i}]`, true);
  }
  return [...(value as string[])];
}

/** Rejects a required string that is not a string, or is empty unless `emptyOk`. */
export function requireString(value: unknown, field: string, emptyOk?: boolean): string {
  if (typeof value !== "string" || !(value || emptyOk)) {
    throw new ChaukasValidationError(field, `expected a ${emptyOk ? "" : "non-empty "}string`);
  }
  return value;
}

/**
 * Describes anything thrown as an `ErrorInfo`. An `Error` or a plain `{ message, code, stack,
 * recoverable, recoveryAction }` object gives those fields (an `Error` without a message its
 * name, a code only when a string or number); anything else is converted with `String()`.
 */
export function errorInfoFrom(error: unknown): ErrorInfo {
  // Anything but an object is its own message; so is an object without one ("[object Object]").
  const {
    message = error,
    code,
    stack,
    recoverable,
    recoveryAction,
  } = ((typeof error === "object" && error) || {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  return subMessage("error", undefined, {
    errorMessage: message === "" && error instanceof Error ? error.name : String(message),
    errorCode: typeof code === "number" ? String(code) : text(code),
    stackTrace: text(stack),
    recoverable: recoverable === true,
    recoveryAction: text(recoveryAction),
  });
}

/** The `metadata.error` entry of a failed span's END event. */
export function errorMetadata(error: unknown): JsonObject {
  const { errorMessage: message, errorCode: code } = errorInfoFrom(error);
  return { error: code ? { message, code } : { message } };
}
