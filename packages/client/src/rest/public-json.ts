/** The one mapping between the spec's messages and the public REST API's JSON: its entry points. */
import type { JsonObject, MessageShape } from "@bufbuild/protobuf";
import {
  type CapabilitiesSchema,
  type Event,
  type EventBatch,
  EventBatchSchema,
  EventSchema,
  type QueryFilterSchema,
  type QueryRequestSchema,
  type QueryResponseSchema,
} from "@chaukas/spec/common/v1";
import { fail } from "../validation/field-path.js";
import { ChaukasValidationError, expected } from "../validation/validation-error.js";
import { asObject, readMessage } from "./public-json-reader.js";
import { writeMessage } from "./public-json-writer.js";

export { PUBLIC_CONTENT_KINDS } from "./public-content-kinds.js";

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
