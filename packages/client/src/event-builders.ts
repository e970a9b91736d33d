import type { DescField, JsonObject, Message } from "@bufbuild/protobuf";
import { create } from "@bufbuild/protobuf";
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
import { timestampAt } from "./clock.js";
import type { SpanContext } from "./context-manager.js";
import { checkField } from "./event-validation.js";
import { uuidv7 } from "./ids.js";
import { toOptionalJsonObject } from "./struct.js";
import { ChaukasValidationError, type FieldPath } from "./validation-error.js";

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
 * options. Whatever the caller gives is checked here, where it is read (the options and the
 * context's agent with `checkField`, JSON and string lists copied with paths like
 * `metadata.x`); the content and attachments were checked by `subMessage`. So the built event
 * is not walked again: `validateBuiltEvent` only checks the rules between its fields.
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
    severity: checked(EVENT.severity, options?.severity ?? severity),
    status,
    author: checked(EVENT.author, options?.author ?? author),
    timestamp: timestampAt(nowMs),
    agentId: checked(EVENT.agentId, context.agentId ?? ""),
    agentName: checked(EVENT.agentName, context.agentName ?? ""),
    invocationId: checked(EVENT.invocationId, options?.invocationId ?? ""),
    responseId: checked(EVENT.responseId, options?.responseId ?? ""),
    isPartial: false,
    isFinal: false,
    hashPrev: "",
    contentHash: "",
    wormProofId: "",
    branch: checked(EVENT.branch, options?.branch ?? defaults.branch),
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

/** Event's fields by their protobuf-es names (`EVENT.severity`). */
const EVENT = EventSchema.field;
const EVENT_PATH: FieldPath = [];

/** `checkField` of an Event field; `T` is the type the caller was asked for. */
function checked<T>(field: DescField, value: T): T {
  return checkField(field, value, EVENT_PATH) as T;
}

/**
 * The message of Event field `field` (`toolCall`, `retry`, `infrastructure`, ...) from a
 * caller's input (a non-object counts as empty; `null` as not set, in the input) and the
 * builder's own values (`init` wins, even when `undefined`), made in one pass over its fields:
 * every value is checked where it is read, as `validateEvent` would check it (`checkField`);
 * fields named in `required` must be non-empty strings; string lists are copied and Struct
 * fields checked and copied (`toJsonObject`); each error names its proto path
 * (`tool_call.arguments.q`). A literal `$typeName` and every field, like the Event in
 * `buildEvent`: `create` would copy the input once more before the checks.
 */
export function subMessage<T extends Message>(
  field: string,
  input: unknown,
  init?: object,
  required: readonly string[] = [],
): T {
  const plan = planOf(field);
  const given = ((typeof input === "object" && input) || NO_INPUT) as Fields;
  const builderValues = init as Fields | undefined;
  const message: Fields = { $typeName: plan.typeName };
  for (const f of plan.fields) {
    const { key, path } = f;
    // A caller's null means not set, as create() reads it; a builder's value is checked as given.
    const value =
      builderValues !== undefined && key in builderValues
        ? builderValues[key]
        : (given[key] ?? undefined);
    message[key] =
      f.kind === "struct"
        ? toOptionalJsonObject(value, path)
        : f.kind === "list"
          ? copyStrings(value, path)
          : required.includes(key)
            ? requireString(value, path)
            : value === undefined
              ? f.zero
              : checkField(f.field, value, plan.at);
  }
  return message as T;
}

type Fields = Record<string, unknown>;
const NO_INPUT: Fields = Object.freeze({});

/** How `subMessage` makes one message type: its fields, each with its path and zero value. */
interface MessagePlan {
  readonly typeName: string;
  /** The Event field's proto name, where the paths of errors start. */
  readonly at: FieldPath;
  readonly fields: readonly {
    readonly field: DescField;
    readonly key: string;
    /** `tool_call.arguments`: the field's path for errors. */
    readonly path: string;
    readonly kind: "struct" | "list" | "singular";
    /** What `create` sets when the field is not given (lists get a fresh array instead). */
    readonly zero: unknown;
  }[];
}

const plans = new Map<string, MessagePlan>();

function planOf(eventField: string): MessagePlan {
  let plan = plans.get(eventField);
  if (plan === undefined) {
    const { name, message } = (EventSchema.field as Record<string, DescField>)[eventField]!;
    // Every sub-message field is a scalar, a list of strings or a message today; a map's zero
    // value (an object) would be shared between messages, so a new one must be handled here.
    if (message!.fields.some((f) => f.fieldKind === "map")) {
      throw new Error(`subMessage: ${message!.typeName} has a map field`);
    }
    const zero = create(message!) as unknown as Fields;
    plan = {
      typeName: message!.typeName,
      at: [name],
      fields: message!.fields.map((field) => ({
        field,
        key: field.localName,
        path: `${name}.${field.name}`,
        kind:
          field.message?.typeName === "google.protobuf.Struct"
            ? "struct"
            : field.fieldKind === "list"
              ? "list"
              : "singular",
        zero: zero[field.localName],
      })),
    };
    plans.set(eventField, plan);
  }
  return plan;
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
