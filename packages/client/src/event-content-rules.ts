import { type Event, EventType } from "@chaukas/spec/common/v1";

/** The `content` oneof cases of `Event`, as protobuf-es names them. */
export type EventContentCase = NonNullable<Event["content"]["case"]>;

/**
 * Which `content` case each event type may carry (`undefined` = no content). Shared by the
 * client's validation and the local backend, so both reject the same contradictions.
 */
export const EVENT_CONTENT_RULES: Readonly<
  Record<Exclude<EventType, EventType.UNSPECIFIED>, readonly (EventContentCase | undefined)[]>
> = {
  [EventType.SESSION_START]: [undefined, "message", "stateUpdate"],
  [EventType.SESSION_END]: [undefined, "message", "stateUpdate"],
  [EventType.AGENT_START]: [undefined, "message", "stateUpdate"],
  [EventType.AGENT_END]: [undefined, "message", "stateUpdate"],
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
  // A retry says what failed (optional) and carries the `retry` attachment.
  [EventType.RETRY]: [undefined, "error", "toolCall", "llmInvocation", "mcpCall"],
  [EventType.POLICY_DECISION]: ["policy"],
  [EventType.DATA_ACCESS]: ["dataAccess"],
  [EventType.STATE_UPDATE]: ["stateUpdate"],
  [EventType.SYSTEM]: [undefined, "message", "stateUpdate"],
};

/** A broken rule: the field path (proto names) and a sentence a person can act on. */
export interface EventRuleViolation {
  readonly field: string;
  readonly message: string;
}

/**
 * Checks the structural rules every Chaukas event must satisfy: an id, a known type, the
 * content case its type allows, the `retry` attachment on RETRY. Returns the first violation.
 */
export function checkEventRules(event: Event): EventRuleViolation | undefined {
  if (event.eventId === "") {
    return { field: "event_id", message: "event_id is required" };
  }
  if (event.type === EventType.UNSPECIFIED) {
    return { field: "type", message: "type must not be EVENT_TYPE_UNSPECIFIED" };
  }
  const allowed = EVENT_CONTENT_RULES[event.type as Exclude<EventType, EventType.UNSPECIFIED>];
  if (allowed === undefined) {
    return { field: "type", message: `type ${event.type} is not a known EventType` };
  }
  const contentCase = event.content.case;
  if (!allowed.includes(contentCase)) {
    const typeName = `EVENT_TYPE_${EventType[event.type]}`;
    const expected = allowed.map((c) => c ?? "none").join(" | ");
    return {
      field: "content",
      message: `${typeName} carries content ${contentCase ?? "none"}, expected ${expected}`,
    };
  }
  if (event.type === EventType.RETRY && event.retry === undefined) {
    return { field: "retry", message: "EVENT_TYPE_RETRY requires the retry attachment" };
  }
  return undefined;
}
