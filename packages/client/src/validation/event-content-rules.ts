// Which content goes with which event type: the rules the builders keep and `emit` checks.

import { type Event, EventSchema, EventType } from "@chaukas/spec/common/v1";

/** The `content` oneof cases of `Event`, as protobuf-es names them. */
export type EventContentCase = NonNullable<Event["content"]["case"]>;

/** The contents a session, agent or SYSTEM event may carry: none, a message, or state. */
const LIFECYCLE = [undefined, "message", "stateUpdate"] as const;

/**
 * Which `content` case each event type carries when the SDK's builders make it (`undefined` = no
 * content), listed in the oneof's field order. This is our convention, stricter than the spec,
 * which says only "exactly one when applicable": other SDKs send other contents (chaukas-sdk
 * 0.1.0 puts `error` on a failed TOOL_CALL_END), and backends accept them (`checkEventRules`).
 * The type makes a missing or unknown EventType a compile error.
 */
export const EVENT_CONTENT_RULES: {
  readonly [T in Exclude<EventType, EventType.UNSPECIFIED>]: readonly (
    | EventContentCase
    | undefined
  )[];
} = {
  [EventType.SESSION_START]: LIFECYCLE,
  [EventType.SESSION_END]: LIFECYCLE,
  [EventType.AGENT_START]: LIFECYCLE,
  [EventType.AGENT_END]: LIFECYCLE,
  [EventType.AGENT_HANDOFF]: ["agentHandoff"],
  [EventType.MODEL_INVOCATION_START]: ["llmInvocation"],
  [EventType.MODEL_INVOCATION_END]: ["llmInvocation"],
  [EventType.TOOL_CALL_START]: ["toolCall"],
  [EventType.TOOL_CALL_END]: ["toolResponse"],
  [EventType.MCP_CALL_START]: ["mcpCall"],
  [EventType.MCP_CALL_END]: ["mcpCall"],
  [EventType.INPUT_RECEIVED]: ["message"],
  [EventType.OUTPUT_EMITTED]: ["message"],
  [EventType.ERROR]: ["error"],
  // RETRY says what failed (optional) and carries the `retry` attachment.
  [EventType.RETRY]: [undefined, "toolCall", "llmInvocation", "error", "mcpCall"],
  [EventType.POLICY_DECISION]: ["policy"],
  [EventType.DATA_ACCESS]: ["dataAccess"],
  [EventType.STATE_UPDATE]: ["stateUpdate"],
  [EventType.SYSTEM]: LIFECYCLE,
};

/** A broken rule: the field path (proto names) and a sentence a person can act on. */
export interface EventRuleViolation {
  readonly field: string;
  readonly message: string;
}

function violation(field: string, message: string): EventRuleViolation {
  return { field, message };
}

/** The rules by type, for lookups by any number (an unknown type has none). */
const RULES_BY_TYPE = EVENT_CONTENT_RULES as Readonly<
  Record<number, readonly (string | undefined)[] | undefined>
>;

/**
 * Checks what the spec requires of every event, and nothing more: an id (the key a backend
 * stores it under) and a known type other than UNSPECIFIED (the public API's `EventType` has no
 * such value), with a content case `Event` has. Which content goes with which type, and the
 * `retry` attachment, the spec leaves open: any is accepted and stored as sent. Used for events
 * given whole (`emit`, `beforeSend`) and by `@chaukas/devserver`. Returns the first violation.
 */
export function checkEventRules(event: Event): EventRuleViolation | undefined {
  const type = event.type;
  const content = event.content?.case;
  if (!event.eventId) return violation("event_id", "required");
  if (!RULES_BY_TYPE[type]) {
    return violation("type", type ? `${type} is not an EventType` : "must not be UNSPECIFIED");
  }
  return content && !EventSchema.field[content]?.oneof
    ? violation("content", `${content} is not a content case of Event`)
    : undefined;
}

/**
 * `checkEventRules`, then what the builders promise on top (`EVENT_CONTENT_RULES`, the `retry`
 * attachment on RETRY): a check of our own builders' output, never applied to events of others.
 */
export function checkBuiltEventRules(event: Event): EventRuleViolation | undefined {
  const type = event.type;
  const content = event.content?.case;
  const allowed = RULES_BY_TYPE[type];
  const spec = checkEventRules(event);
  if (spec || !allowed) return spec;
  if (!allowed.includes(content)) {
    const typeName = EventSchema.field.type!.enum!.value[type]!.name;
    const allowedText = allowed.map((c) => c ?? "none");
    return violation(
      "content",
      `${typeName} carries ${content ?? "none"}, expected ${allowedText.join(" | ")}`,
    );
  }
  return type === EventType.RETRY && !event.retry
    ? violation("retry", "required on RETRY events")
    : undefined;
}
