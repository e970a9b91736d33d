import { timestampMs } from "@bufbuild/protobuf/wkt";
import { type Event, EventType } from "@chaukas/spec/common/v1";
import { isFailure } from "./event-kinds.js";

/** One line of the sessions list. */
export interface SessionSummary {
  readonly sessionId: string;
  /**
   * What the viewer calls the session: its agent's name, else that agent's id, else
   * "session …" and the end of the session id (see `sessionName`).
   */
  readonly name: string;
  /** Time of the first event, Unix ms. */
  readonly startMs: number;
  /** SESSION_START to SESSION_END, or first to last event while the session runs. */
  readonly durationMs: number;
  /** Whether SESSION_END has arrived. */
  readonly ended: boolean;
  readonly eventCount: number;
  /** ERROR events and events with status FAILED. */
  readonly errorCount: number;
  /** Total tokens of the MODEL_INVOCATION_END events. */
  readonly tokens: number;
  /** Sum of every event's `cost.total_cost`, USD. */
  readonly costUsd: number;
}

export function eventMs(event: Event): number {
  return event.timestamp === undefined ? 0 : timestampMs(event.timestamp);
}

/** Groups events by session and summarises each; newest session first. */
export function summarizeSessions(events: Iterable<Event>): SessionSummary[] {
  const bySession = new Map<string, Event[]>();
  for (const event of events) {
    const group = bySession.get(event.sessionId);
    if (group === undefined) bySession.set(event.sessionId, [event]);
    else group.push(event);
  }
  return [...bySession.entries()]
    .map(([sessionId, group]) => summarizeSession(sessionId, group))
    .sort((a, b) => b.startMs - a.startMs || (a.sessionId < b.sessionId ? -1 : 1));
}

export function summarizeSession(sessionId: string, events: readonly Event[]): SessionSummary {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let start: Event | undefined;
  let end: Event | undefined;
  let errorCount = 0;
  let tokens = 0;
  let costUsd = 0;
  for (const event of events) {
    const at = eventMs(event);
    first = Math.min(first, at);
    last = Math.max(last, at);
    if (event.type === EventType.SESSION_START) start = event;
    if (event.type === EventType.SESSION_END) end = event;
    if (isFailure(event)) errorCount += 1;
    if (event.type === EventType.MODEL_INVOCATION_END && event.content.case === "llmInvocation") {
      tokens += event.content.value.totalTokens;
    }
    costUsd += event.cost?.totalCost ?? 0;
  }
  const startMs = start === undefined ? first : eventMs(start);
  const endMs = end === undefined ? last : eventMs(end);
  return {
    sessionId,
    name: sessionName(sessionId, start, events),
    startMs: events.length === 0 ? 0 : startMs,
    durationMs: events.length === 0 ? 0 : Math.max(0, endMs - startMs),
    ended: end !== undefined,
    eventCount: events.length,
    errorCount,
    tokens,
    costUsd,
  };
}

/**
 * The session's agent, by name where one is known: the SESSION_START's `agent_name`, or the
 * `agent_name` the Python SDK puts in its metadata, or the earliest event's that has one; else
 * the earliest `agent_id`; else the session id's end (a UUIDv7 starts with its time, so
 * sessions of the same minute share a prefix, never an end).
 */
export function sessionName(
  sessionId: string,
  start: Event | undefined,
  events: readonly Event[],
): string {
  const metadataName = start?.metadata?.agent_name;
  return (
    start?.agentName ||
    (typeof metadataName === "string" ? metadataName : "") ||
    earliest(events, (event) => event.agentName) ||
    start?.agentId ||
    earliest(events, (event) => event.agentId) ||
    `session ${sessionId.length > 16 ? `…${sessionId.slice(-12)}` : sessionId}`
  );
}

/** The value of the earliest event that has a non-empty one; "" when none has. */
function earliest(events: readonly Event[], value: (event: Event) => string): string {
  let found: Event | undefined;
  for (const event of events) {
    if (value(event) === "") continue;
    if (found === undefined || eventMs(event) < eventMs(found)) found = event;
  }
  return found === undefined ? "" : value(found);
}
