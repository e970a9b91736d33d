import { type Event, EventSchema, EventType } from "@chaukas/spec/common/v1";

/** The `content` oneof cases of `Event`, as protobuf-es names them. */
export type EventContentCase = NonNullable<Event["content"]["case"]>;

/** The contents a session, agent or SYSTEM event may carry: none, a message, or state. */
const LIFECYCLE = [undefined, "message", "stateUpdate"] as const;

/**
 * Which `content` case each event type may carry (`undefined` = no content), listed in the
 * oneof's field order. Shared by the client's validation and the local backend, so both reject
 * the same contradictions. The type makes a missing or unknown EventType a compile error.
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

/**
 * Checks the structural rules every Chaukas event must satisfy: an id, a known type, the
 * content case its type allows, the `retry` attachment on RETRY. Returns the first violation.
 */
export function checkEventRules(event: Event): EventRuleViolation | undefined {
  const type = event.type;
  const allowed = (
    EVENT_CONTENT_RULES as Readonly<Record<number, readonly (string | undefined)[] | undefined>>
  )[type];
  const content = event.content?.case;
  if (!event.eventId) return violation("event_id", "required");
  if (!allowed) {
    return violation("type", type ? `${type} is not an EventType` : "must not be UNSPECIFIED");
  }
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
