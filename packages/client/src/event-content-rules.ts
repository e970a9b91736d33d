import { type Event, EventSchema, EventType } from "@chaukas/spec/common/v1";

/** The `content` oneof cases of `Event`, as protobuf-es names them. */
export type EventContentCase = NonNullable<Event["content"]["case"]>;

/**
 * Allowed contents as bits: bit 0 is "no content", bit i the i-th case of the oneof (field
 * number 29 + i), in the order `contentCases()` lists them. An enum, so that bundlers inline
 * the numbers.
 */
enum Content {
  None = 1,
  Message = 2,
  ToolCall = 4,
  ToolResponse = 8,
  LlmInvocation = 16,
  Policy = 32,
  DataAccess = 64,
  StateUpdate = 128,
  Error = 256,
  AgentHandoff = 512,
  McpCall = 1024,
  Lifecycle = None | Message | StateUpdate,
}

/** Allowed contents by event type. */
const ALLOWED: Record<number, number> = {
  [EventType.SESSION_START]: Content.Lifecycle,
  [EventType.SESSION_END]: Content.Lifecycle,
  [EventType.AGENT_START]: Content.Lifecycle,
  [EventType.AGENT_END]: Content.Lifecycle,
  [EventType.AGENT_HANDOFF]: Content.AgentHandoff,
  [EventType.MODEL_INVOCATION_START]: Content.LlmInvocation,
  [EventType.MODEL_INVOCATION_END]: Content.LlmInvocation,
  [EventType.TOOL_CALL_START]: Content.ToolCall,
  [EventType.TOOL_CALL_END]: Content.ToolResponse,
  [EventType.MCP_CALL_START]: Content.McpCall,
  [EventType.MCP_CALL_END]: Content.McpCall,
  [EventType.INPUT_RECEIVED]: Content.Message,
  [EventType.OUTPUT_EMITTED]: Content.Message,
  [EventType.ERROR]: Content.Error,
  // A retry says what failed (optional) and carries the `retry` attachment.
  [EventType.RETRY]:
    Content.None | Content.Error | Content.ToolCall | Content.LlmInvocation | Content.McpCall,
  [EventType.POLICY_DECISION]: Content.Policy,
  [EventType.DATA_ACCESS]: Content.DataAccess,
  [EventType.STATE_UPDATE]: Content.StateUpdate,
  [EventType.SYSTEM]: Content.Lifecycle,
};

let cases: (EventContentCase | undefined)[] | undefined;

/** The contents by bit: `undefined` (none), then the oneof's cases in field order. */
function contentCases(): (EventContentCase | undefined)[] {
  cases ??= [undefined, ...EventSchema.oneofs[0]!.fields.map((f) => f.localName as never)];
  return cases;
}

function allowedCases(allowed: number): (EventContentCase | undefined)[] {
  return contentCases().filter((_, bit) => (allowed >> bit) & 1);
}

function contentRules() {
  return Object.fromEntries(
    Object.entries(ALLOWED).map(([type, allowed]) => [type, allowedCases(allowed)]),
  ) as Record<EventType, (EventContentCase | undefined)[]>;
}

/**
 * Which `content` case each event type may carry (`undefined` = no content). Shared by the
 * client's validation and the local backend, so both reject the same contradictions.
 */
export const EVENT_CONTENT_RULES: Readonly<
  Record<Exclude<EventType, EventType.UNSPECIFIED>, readonly (EventContentCase | undefined)[]>
> = /* @__PURE__ */ contentRules();

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
  const allowed = ALLOWED[type];
  const content = event.content?.case;
  if (!event.eventId) return violation("event_id", "required");
  if (!allowed) {
    return violation("type", type ? `${type} is not an EventType` : "must not be UNSPECIFIED");
  }
  // An unknown case is -1: shifting by -1 is shifting by 31, a bit no rule sets.
  if (!((allowed >> contentCases().indexOf(content)) & 1)) {
    const typeName = EventSchema.field.type!.enum!.value[type]!.name;
    const allowedText = allowedCases(allowed).map((c) => c ?? "none");
    return violation(
      "content",
      `${typeName} carries ${content ?? "none"}, expected ${allowedText.join(" | ")}`,
    );
  }
  return type === EventType.RETRY && !event.retry
    ? violation("retry", "required on RETRY events")
    : undefined;
}
