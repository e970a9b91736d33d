// Drop ranks: which events a full queue pushes out first (bulk, then ordinary; essential never).
import { EventType } from "@chaukas/spec/common/v1";

/**
 * What the queue keeps when it is full (`maxQueueSize`), highest rank first:
 * - `essential` (2): SESSION_START/END, ERROR, POLICY_DECISION, DATA_ACCESS, AGENT_HANDOFF, and
 *   the client's own loss reports: what an auditor needs to reconstruct a session;
 * - `ordinary` (1): every other type not listed below;
 * - `bulk` (0): MODEL_INVOCATION_START/END and TOOL_CALL_START/END, whose payloads (prompts,
 *   completions, arguments, outputs) are the largest and the most repetitive.
 * A new event that finds the queue full first has a payload cut (`truncateWhenFull`: the newest
 * waiting event of a lower rank first), then pushes out the newest waiting event of the lowest
 * rank below its own; when there is none, the new event itself is dropped (`dropped.queueFull`).
 * So an essential event is dropped only when everything waiting is essential, and a bulky
 * model or tool event never costs a session its end, errors or policy decisions.
 */
export type DropRank = 0 | 1 | 2;

export const DROP_RANK = {
  bulk: 0,
  ordinary: 1,
  essential: 2,
} as const satisfies Record<string, DropRank>;

const ESSENTIAL = new Set<EventType>([
  EventType.SESSION_START,
  EventType.SESSION_END,
  EventType.ERROR,
  EventType.POLICY_DECISION,
  EventType.DATA_ACCESS,
  EventType.AGENT_HANDOFF,
]);

const BULK = new Set<EventType>([
  EventType.MODEL_INVOCATION_START,
  EventType.MODEL_INVOCATION_END,
  EventType.TOOL_CALL_START,
  EventType.TOOL_CALL_END,
]);

/** The rank of an event type in the drop order (see `DropRank`). */
export function dropRankOf(type: EventType): DropRank {
  if (ESSENTIAL.has(type)) return DROP_RANK.essential;
  return BULK.has(type) ? DROP_RANK.bulk : DROP_RANK.ordinary;
}
