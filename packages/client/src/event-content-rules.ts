import { type Event, EventSchema, type EventType } from "@chaukas/spec/common/v1";

/** The `content` oneof cases of `Event`, as protobuf-es names them. */
export type EventContentCase = NonNullable<Event["content"]["case"]>;

// Allowed contents as bits: bit 0 is "no content", bit i the i-th case of the oneof (field
// number 29 + i), in the order `contentCases()` lists them. Plain constants and numeric keys
// (not enums) so that bundlers fold them into one small table, from the published JavaScript too.
const NONE = 1;
const MESSAGE = 2;
const TOOL_CALL = 4;
const TOOL_RESPONSE = 8;
const LLM_INVOCATION = 16;
const POLICY = 32;
const DATA_ACCESS = 64;
const STATE_UPDATE = 128;
const ERROR = 256;
const AGENT_HANDOFF = 512;
const MCP_CALL = 1024;
const LIFECYCLE = NONE | MESSAGE | STATE_UPDATE;
const RETRY: EventType.RETRY = 41;

/** Allowed contents by event type; the type makes a missing or unknown EventType a compile error. */
const ALLOWED: { readonly [T in Exclude<EventType, EventType.UNSPECIFIED>]: number } = {
  1: LIFECYCLE, // SESSION_START
  2: LIFECYCLE, // SESSION_END
  10: LIFECYCLE, // AGENT_START
  11: LIFECYCLE, // AGENT_END
  12: AGENT_HANDOFF, // AGENT_HANDOFF
  20: LLM_INVOCATION, // MODEL_INVOCATION_START
  21: LLM_INVOCATION, // MODEL_INVOCATION_END
  22: TOOL_CALL, // TOOL_CALL_START
  23: TOOL_RESPONSE, // TOOL_CALL_END
  24: MCP_CALL, // MCP_CALL_START
  25: MCP_CALL, // MCP_CALL_END
  30: MESSAGE, // INPUT_RECEIVED
  31: MESSAGE, // OUTPUT_EMITTED
  40: ERROR, // ERROR
  // RETRY says what failed (optional) and carries the `retry` attachment.
  41: NONE | ERROR | TOOL_CALL | LLM_INVOCATION | MCP_CALL,
  60: POLICY, // POLICY_DECISION
  61: DATA_ACCESS, // DATA_ACCESS
  62: STATE_UPDATE, // STATE_UPDATE
  63: LIFECYCLE, // SYSTEM
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
  const allowed = (ALLOWED as Record<number, number | undefined>)[type];
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
  return type === RETRY && !event.retry
    ? violation("retry", "required on RETRY events")
    : undefined;
}
