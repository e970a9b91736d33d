import { type Event, EventStatus, EventType, Severity } from "@chaukas/spec/common/v1";

/** The END type of each START type, so a span's two events become one bar. */
export const END_OF_START: ReadonlyMap<EventType, EventType> = new Map([
  [EventType.SESSION_START, EventType.SESSION_END],
  [EventType.AGENT_START, EventType.AGENT_END],
  [EventType.MODEL_INVOCATION_START, EventType.MODEL_INVOCATION_END],
  [EventType.TOOL_CALL_START, EventType.TOOL_CALL_END],
  [EventType.MCP_CALL_START, EventType.MCP_CALL_END],
]);

const END_TYPES: ReadonlySet<EventType> = new Set(END_OF_START.values());

export function isEndType(type: EventType): boolean {
  return END_TYPES.has(type);
}

/** The 19 event types of the spec, in enum order. */
export const ALL_EVENT_TYPES: readonly EventType[] = Object.values(EventType).filter(
  (value): value is EventType => typeof value === "number" && value !== EventType.UNSPECIFIED,
);

/** "TOOL_CALL_START" for `EventType.TOOL_CALL_START`; the number for an unknown type. */
export function typeName(type: EventType): string {
  return EventType[type] ?? String(type);
}

export function severityName(severity: Severity): string {
  return Severity[severity] ?? String(severity);
}

/**
 * The colour family of a type (a CSS class suffix): what a person scanning the waterfall
 * tells apart first: agents, models, tools, MCP, the conversation, trouble, governance.
 */
export function typeCategory(type: EventType): string {
  switch (type) {
    case EventType.SESSION_START:
    case EventType.SESSION_END:
      return "session";
    case EventType.AGENT_START:
    case EventType.AGENT_END:
    case EventType.AGENT_HANDOFF:
      return "agent";
    case EventType.MODEL_INVOCATION_START:
    case EventType.MODEL_INVOCATION_END:
      return "model";
    case EventType.TOOL_CALL_START:
    case EventType.TOOL_CALL_END:
      return "tool";
    case EventType.MCP_CALL_START:
    case EventType.MCP_CALL_END:
      return "mcp";
    case EventType.INPUT_RECEIVED:
    case EventType.OUTPUT_EMITTED:
      return "io";
    case EventType.ERROR:
    case EventType.RETRY:
      return "trouble";
    case EventType.POLICY_DECISION:
    case EventType.DATA_ACCESS:
      return "governance";
    default:
      return "state";
  }
}

/** An event that reports a failure: an ERROR, or any event whose status is FAILED. */
export function isFailure(event: Event): boolean {
  return event.type === EventType.ERROR || event.status === EventStatus.FAILED;
}
