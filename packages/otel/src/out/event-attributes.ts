/**
 * The attributes of the spans made from Chaukas events: the GenAI semantic conventions where one
 * exists (`gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.usage.*`, `gen_ai.tool.*`,
 * `gen_ai.agent.*`, `gen_ai.conversation.id`), and every other field of the events under
 * `chaukas.*`, so nothing the event says is lost on the way to a Collector.
 */

import { type JsonValue, toJson } from "@bufbuild/protobuf";
import { type Event, EventSchema } from "@chaukas/spec/common/v1";
import type { Attributes, AttributeValue } from "@opentelemetry/api";

/** Fields every span carries as a convention or as its ids, so not repeated under `chaukas.*`. */
const FIELDS_WITH_A_HOME: ReadonlySet<string> = new Set([
  "event_id",
  "session_id",
  "span_id",
  "parent_span_id",
  "trace_id",
  "timestamp",
  "agent_id",
  "agent_name",
]);

/** The event as protobuf JSON with proto field names (`tool_call`, `prompt_tokens`). */
export function eventJson(event: Event): { [key: string]: JsonValue } {
  // `Any` extensions need the user's registry to become JSON; their count is kept instead.
  const plain = event.extensions.length === 0 ? event : { ...event, extensions: [] };
  return toJson(EventSchema, plain, { useProtoFieldName: true }) as { [key: string]: JsonValue };
}

/** A JSON value as an attribute: scalars as they are, lists of strings as lists, the rest as JSON. */
function attributeValue(value: JsonValue): AttributeValue | undefined {
  if (value === null) return undefined;
  if (typeof value !== "object") return value;
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) {
    return value as string[];
  }
  return JSON.stringify(value);
}

/**
 * Every field of `event` without a home elsewhere, under `prefix` (`chaukas.` or
 * `chaukas.start.`): `chaukas.type`, `chaukas.tenant_id`, `chaukas.content_hash`,
 * `chaukas.metadata` (JSON), `chaukas.content` (the content message as JSON), ...
 */
export function chaukasAttributes(event: Event, prefix: string): Attributes {
  const attributes: Attributes = {};
  const json = eventJson(event);
  for (const [key, value] of Object.entries(json)) {
    if (FIELDS_WITH_A_HOME.has(key)) continue;
    // The content is one of the oneof's cases (`tool_call`, `llm_invocation`, ...).
    const name = EVENT_CONTENT_CASES.has(key) ? `content.${key}` : key;
    const attribute = attributeValue(value);
    if (attribute !== undefined) attributes[`${prefix}${name}`] = attribute;
  }
  attributes[`${prefix}event_id`] = event.eventId;
  if (event.extensions.length > 0) attributes[`${prefix}extensions`] = event.extensions.length;
  return attributes;
}

/** The JSON names of `Event.content`'s cases. */
const EVENT_CONTENT_CASES: ReadonlySet<string> = new Set(
  EventSchema.oneofs.find((oneof) => oneof.localName === "content")!.fields.map((f) => f.name),
);

/** What every span of a session says about where it belongs. */
export function identityAttributes(event: Event): Attributes {
  return withoutEmpty({
    "gen_ai.conversation.id": event.sessionId,
    "gen_ai.agent.id": event.agentId,
    "gen_ai.agent.name": event.agentName,
  });
}

/** `attributes` without empty strings, zeros of unset numbers, and undefined values. */
export function withoutEmpty(attributes: Record<string, AttributeValue | undefined>): Attributes {
  const kept: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === "" || (Array.isArray(value) && value.length === 0))
      continue;
    kept[key] = value;
  }
  return kept;
}

/** A JSON value as text for a `gen_ai.*` attribute that holds JSON; undefined when unset. */
export const jsonText = (value: unknown): string | undefined =>
  value === undefined || value === null ? undefined : JSON.stringify(value);
