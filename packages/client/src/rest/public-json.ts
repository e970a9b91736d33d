// The one mapping between the spec's messages and the public REST API's JSON.

import {
  create,
  type DescEnum,
  type DescField,
  type DescMessage,
  fromJson,
  type JsonObject,
  type JsonValue,
  type MessageShape,
  ScalarType,
  toJson,
} from "@bufbuild/protobuf";
import { base64Decode, base64Encode } from "@bufbuild/protobuf/wire";
import { TimestampSchema } from "@bufbuild/protobuf/wkt";
import {
  CapabilitiesSchema,
  type Event,
  type EventBatch,
  EventBatchSchema,
  EventSchema,
  type QueryFilterSchema,
  type QueryRequestSchema,
  type QueryResponseSchema,
} from "@chaukas/spec/common/v1";
import type { EventContentCase } from "../validation/event-content-rules.js";
import { jsonObject } from "../validation/struct.js";
import {
  ChaukasValidationError,
  expected,
  type FieldPath,
  fail,
} from "../validation/validation-error.js";

/**
 * The messages the public REST API (`openapi-public.yaml`) carries as JSON. Its field names are
 * the proto field names (`event_id`, `page_size`), so one walk over the descriptors maps them.
 */
export type PublicJsonSchema =
  | typeof EventSchema
  | typeof EventBatchSchema
  | typeof QueryFilterSchema
  | typeof QueryRequestSchema
  | typeof QueryResponseSchema
  | typeof CapabilitiesSchema;

/**
 * The `kind` of each case of `Event.content` in the API's `EventContent` union. The API has no
 * kind for `state_update`: that case is written beside `content`, as `state_update` (see
 * `toPublicJson`). The type makes a new content case a compile error until it is mapped here.
 */
export const PUBLIC_CONTENT_KINDS = {
  message: "message",
  toolCall: "tool_call",
  toolResponse: "tool_response",
  llmInvocation: "llm_invocation",
  policy: "policy_decision",
  dataAccess: "data_access",
  error: "error_info",
  agentHandoff: "agent_handoff",
  mcpCall: "mcp_call",
} as const satisfies { readonly [C in Exclude<EventContentCase, "stateUpdate">]: string };

/** The content case of each kind, for reading. */
const CASE_BY_KIND: ReadonlyMap<string, string> = new Map(
  Object.entries(PUBLIC_CONTENT_KINDS).map(([contentCase, kind]) => [kind, contentCase]),
);

/**
 * Properties the API's schemas list as `required`, by message: written even when they hold the
 * proto default (`""`, an empty list), so the JSON conforms. Enum and Timestamp fields have no
 * JSON form for "unset" and are written only when set.
 */
const ALWAYS_WRITTEN: Readonly<Record<string, readonly string[]>> = {
  [EventSchema.typeName]: ["event_id", "session_id"],
  [EventBatchSchema.typeName]: ["events"],
  "chaukas.spec.common.v1.MessageContent": ["text"],
  "chaukas.spec.common.v1.ToolCall": ["name"],
  "chaukas.spec.common.v1.ToolResponse": ["tool_call_id"],
  "chaukas.spec.common.v1.LLMInvocation": ["provider", "model"],
  "chaukas.spec.common.v1.PolicyDecision": ["policy_id", "outcome"],
  "chaukas.spec.common.v1.DataAccess": ["datasource"],
  "chaukas.spec.common.v1.ErrorInfo": ["error_message"],
  "chaukas.spec.common.v1.AgentHandoff": ["from_agent_id", "to_agent_id"],
  "chaukas.spec.common.v1.MCPCall": ["server_name", "operation"],
  // An answer about capabilities names every one, those it lacks too.
  [CapabilitiesSchema.typeName]: CapabilitiesSchema.fields.map((field) => field.name),
};

/** The event's content union; the only oneof among the mapped messages. */
const CONTENT_ONEOF = EventSchema.oneofs.find((oneof) => oneof.name === "content")!;

/** The JSON key of `Event.content`'s `state_update` case, which the API's union lacks. */
const STATE_UPDATE_KEY = "state_update";

/** protobuf JSON's spelling of the doubles JSON numbers cannot hold. */
const NON_FINITE = new Map<string, number>([
  ["NaN", Number.NaN],
  ["Infinity", Number.POSITIVE_INFINITY],
  ["-Infinity", Number.NEGATIVE_INFINITY],
]);

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;

/**
 * A message as the public REST API's JSON (`openapi-public.yaml`):
 * - property names are the proto field names (`event_id`, `tool_call_id`);
 * - enums are their names without prefix (`"SESSION_START"`, `"FAILED"`, `"DESC"`); an
 *   UNSPECIFIED or unknown value has no name in the API and is left out;
 * - `Event.content` is one object with a `kind` (`{ "kind": "tool_call", "name": … }`); the
 *   `state_update` case, which the API's union has no kind for, is written as a `state_update`
 *   object beside it (the API's `Event` allows further properties);
 * - `google.protobuf.Struct` fields are plain JSON objects, timestamps RFC 3339 strings;
 * - `extensions` (`google.protobuf.Any`, absent from the API) are `{ "type_url", "value" }`
 *   with the value in base64, so they survive without a type registry;
 * - fields holding the proto default are left out, except what the API requires
 *   (`event_id`, `session_id`, a content's required fields, a batch's `events`) and the flags
 *   of `Capabilities`, which are all written;
 * - a non-finite double is written as protobuf JSON writes it (`"NaN"`, `"Infinity"`).
 */
export function toPublicJson<Desc extends PublicJsonSchema>(
  schema: Desc,
  message: MessageShape<Desc>,
): JsonObject {
  return writeMessage(schema, message as unknown as Record<string, unknown>);
}

/**
 * Reads the public REST API's JSON into a message (the inverse of `toPublicJson`). Throws
 * `ChaukasValidationError` naming the property (`events[2].content.prompt_tokens`) for a value
 * of the wrong type: a string where a number belongs, an integer out of the int32 range, an enum
 * name the API does not list (`"EVENT_TYPE_SESSION_START"` is not one), an unknown content
 * `kind`, a timestamp that is not RFC 3339, both `content` and `state_update`.
 *
 * What the API leaves open is accepted as sent: a missing property (even one the schema lists
 * as required) and `null` read as the proto default, properties the API does not define are
 * ignored, and free-text fields documented with a few values (`outcome`, `method`,
 * `handoff_type`) take any string. Whether an event makes sense is for the receiver's own rules
 * (`checkEventRules`), as with an event that arrived as protobuf.
 */
export function fromPublicJson<Desc extends PublicJsonSchema>(
  schema: Desc,
  json: unknown,
): MessageShape<Desc> {
  return readMessage(schema, json, []) as MessageShape<Desc>;
}

/** `toPublicJson(EventSchema, event)`. */
export function eventToPublicJson(event: Event): JsonObject {
  return toPublicJson(EventSchema, event);
}

/** `fromPublicJson(EventSchema, json)`. */
export function eventFromPublicJson(json: unknown): Event {
  return fromPublicJson(EventSchema, json);
}

/** An event of a batch that could not be read, by its position in the batch. */
export interface InvalidPublicEvent {
  /** Its index in the batch's `events`. */
  readonly index: number;
  /** Its `event_id` if that is a string, else "". */
  readonly eventId: string;
  /** What is wrong, with the property relative to the event (`content.kind`). */
  readonly error: ChaukasValidationError;
}

/**
 * Reads an `EventBatch` the way a receiver that accepts part of a batch needs it: the batch with
 * every event that could be read, and the others by index. Throws `ChaukasValidationError` only
 * when the batch itself cannot be read (not an object, `events` not a list, a bad `timestamp`).
 */
export function readPublicEventBatch(json: unknown): {
  batch: EventBatch;
  invalid: InvalidPublicEvent[];
} {
  const { events, ...rest } = asObject(json, []);
  const batch = readMessage(EventBatchSchema, rest, []) as EventBatch;
  const invalid: InvalidPublicEvent[] = [];
  if (events === undefined || events === null) return { batch, invalid };
  if (!Array.isArray(events)) fail(["events"], expected("an array", events));
  for (const [index, item] of events.entries()) {
    try {
      batch.events.push(readMessage(EventSchema, item, []) as Event);
    } catch (error) {
      if (!(error instanceof ChaukasValidationError)) throw error;
      const eventId = (item as { event_id?: unknown } | null)?.event_id;
      invalid.push({ index, eventId: typeof eventId === "string" ? eventId : "", error });
    }
  }
  return { batch, invalid };
}

// ── writing ───────────────────────────────────────────────────────────────

function writeMessage(desc: DescMessage, message: Record<string, unknown>): JsonObject {
  const json: JsonObject = {};
  const always = ALWAYS_WRITTEN[desc.typeName] ?? [];
  for (const field of desc.fields) {
    if (field.oneof !== undefined) continue;
    const value = writeField(field, message[field.localName], always.includes(field.name));
    if (value !== undefined) json[field.name] = value;
  }
  if (desc.typeName === EventSchema.typeName) writeContent(json, message as unknown as Event);
  return json;
}

function writeContent(json: JsonObject, event: Event): void {
  const { case: contentCase, value } = event.content;
  if (contentCase === undefined) return;
  if (contentCase === "stateUpdate") {
    json[STATE_UPDATE_KEY] = value;
    return;
  }
  const field = EventSchema.field[contentCase]!;
  json.content = {
    kind: PUBLIC_CONTENT_KINDS[contentCase],
    ...writeMessage(field.message!, value as unknown as Record<string, unknown>),
  };
}

/** One field's JSON, or undefined to leave it out. */
function writeField(field: DescField, value: unknown, always: boolean): JsonValue | undefined {
  switch (field.fieldKind) {
    case "list": {
      const items = value as unknown[];
      if (items.length === 0 && !always) return undefined;
      const written = items.map((item) =>
        field.listKind === "enum"
          ? enumName(field.enum, item as number)
          : field.listKind === "message"
            ? writeMessageValue(field.message, item)
            : writeScalar(field.scalar, item),
      );
      return written.filter((item): item is JsonValue => item !== undefined);
    }
    case "enum":
      return enumName(field.enum, value as number);
    case "message":
      return value === undefined ? undefined : writeMessageValue(field.message, value);
    case "scalar":
      return !always && isDefault(value) ? undefined : writeScalar(field.scalar, value);
    case "map":
      // No mapped message has a map field; a future one must be mapped on purpose.
      throw new Error(`${field.toString()}: map fields have no public JSON mapping`);
  }
}

function writeMessageValue(desc: DescMessage, value: unknown): JsonValue {
  switch (desc.typeName) {
    case "google.protobuf.Struct":
      return value as JsonObject; // protobuf-es holds a Struct as its JSON object
    case "google.protobuf.Timestamp":
      return toJson(TimestampSchema, value as MessageShape<typeof TimestampSchema>);
    default:
      return writeMessage(desc, value as Record<string, unknown>);
  }
}

function writeScalar(type: ScalarType, value: unknown): JsonValue {
  switch (type) {
    case ScalarType.DOUBLE:
      return Number.isFinite(value) ? (value as number) : String(value);
    case ScalarType.BYTES:
      return base64Encode(value as Uint8Array);
    case ScalarType.INT64:
      return String(value);
    default:
      return value as JsonValue;
  }
}

function isDefault(value: unknown): boolean {
  return (
    value === "" ||
    value === 0 ||
    value === false ||
    value === 0n ||
    (value instanceof Uint8Array && value.length === 0)
  );
}

function enumName(desc: DescEnum, value: number): string | undefined {
  if (value === 0) return undefined;
  return desc.value[value]?.localName;
}

// ── reading ───────────────────────────────────────────────────────────────

function asObject(json: unknown, path: FieldPath): Record<string, unknown> {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    fail(path, expected("a JSON object", json));
  }
  return json as Record<string, unknown>;
}

function readMessage(desc: DescMessage, json: unknown, path: FieldPath): unknown {
  const object = asObject(json, path);
  const init: Record<string, unknown> = {};
  for (const field of desc.fields) {
    if (field.oneof !== undefined) continue;
    const value = object[field.name];
    if (value === undefined || value === null) continue;
    path.push(field.name);
    init[field.localName] = readField(field, value, path);
    path.pop();
  }
  if (desc.typeName === EventSchema.typeName) init.content = readContent(object, path);
  return create(desc, init);
}

function readContent(event: Record<string, unknown>, path: FieldPath): unknown {
  const content = event.content ?? undefined;
  const state = event[STATE_UPDATE_KEY] ?? undefined;
  if (content !== undefined && state !== undefined) {
    fail([...path, STATE_UPDATE_KEY], "an event carries one content: content or state_update");
  }
  if (state !== undefined) {
    return { case: "stateUpdate", value: jsonObject(state, [...path, STATE_UPDATE_KEY]) };
  }
  if (content === undefined) return undefined;
  const at = [...path, "content"];
  const { kind } = asObject(content, at);
  const contentCase = typeof kind === "string" ? CASE_BY_KIND.get(kind) : undefined;
  if (contentCase === undefined) {
    fail([...at, "kind"], expected(`one of ${[...CASE_BY_KIND.keys()].join(", ")}`, kind));
  }
  const field = CONTENT_ONEOF.fields.find((f) => f.localName === contentCase)!;
  return { case: contentCase, value: readMessage(field.message!, content, at) };
}

function readField(field: DescField, value: unknown, path: FieldPath): unknown {
  switch (field.fieldKind) {
    case "list": {
      if (!Array.isArray(value)) fail(path, expected("an array", value));
      return value.map((item, i) => {
        path.push(i);
        const read =
          field.listKind === "enum"
            ? readEnum(field.enum, item, path)
            : field.listKind === "message"
              ? readMessageValue(field.message, item, path)
              : readScalar(field.scalar, item, path);
        path.pop();
        return read;
      });
    }
    case "enum":
      return readEnum(field.enum, value, path);
    case "message":
      return readMessageValue(field.message, value, path);
    case "scalar":
      return readScalar(field.scalar, value, path);
    case "map":
      throw new Error(`${field.toString()}: map fields have no public JSON mapping`);
  }
}

function readMessageValue(desc: DescMessage, value: unknown, path: FieldPath): unknown {
  switch (desc.typeName) {
    case "google.protobuf.Struct":
      return jsonObject(value, path);
    case "google.protobuf.Timestamp":
      if (typeof value === "string") {
        try {
          return fromJson(TimestampSchema, value);
        } catch {
          // Reported below, with the path.
        }
      }
      return fail(path, expected("an RFC 3339 date-time", value));
    default:
      return readMessage(desc, value, path);
  }
}

function readEnum(desc: DescEnum, value: unknown, path: FieldPath): number {
  const match = desc.values.find((v) => v.number !== 0 && v.localName === value);
  if (match === undefined) {
    const names = desc.values.filter((v) => v.number !== 0).map((v) => v.localName);
    fail(path, expected(`one of ${names.join(", ")}`, value));
  }
  return match.number;
}

/** The scalar types the mapped messages use; any other is a mapping still to be written. */
function readScalar(type: ScalarType, value: unknown, path: FieldPath): unknown {
  switch (type) {
    case ScalarType.STRING:
      if (typeof value === "string") return value;
      return fail(path, expected("a string", value));
    case ScalarType.BOOL:
      if (typeof value === "boolean") return value;
      return fail(path, expected("a boolean", value));
    case ScalarType.INT32:
      if (
        Number.isInteger(value) &&
        (value as number) >= INT32_MIN &&
        (value as number) <= INT32_MAX
      ) {
        return value;
      }
      return fail(path, expected("an integer in the int32 range", value));
    case ScalarType.DOUBLE:
      if (typeof value === "number") return value;
      if (typeof value === "string" && NON_FINITE.has(value)) return NON_FINITE.get(value);
      return fail(path, expected("a number", value));
    case ScalarType.BYTES:
      if (typeof value === "string" && BASE64.test(value)) return base64Decode(value);
      return fail(path, expected("base64", value));
    default:
      throw new Error(`${ScalarType[type]} fields have no public JSON mapping`);
  }
}
