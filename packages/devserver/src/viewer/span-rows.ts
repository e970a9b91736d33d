import { type Event, EventType } from "@chaukas/spec/common/v1";
import { END_OF_START, isEndType, isFailure } from "./event-kinds.js";
import { eventMs } from "./session-summary.js";

/** One row of the waterfall: a START→END span (a bar) or a single event (a mark). */
export interface SpanRow {
  /** Unique within the session: the span id, or the event id of an event sharing a span. */
  readonly key: string;
  /** Nesting level: 0 for spans whose parent is not in the session. */
  readonly depth: number;
  /** The START event, or the single event itself. */
  readonly first: Event;
  /** The END event of a START→END span, once it has arrived. */
  readonly end: Event | undefined;
  readonly startMs: number;
  /** The END event's time; undefined for single events and spans without an END. */
  readonly endMs: number | undefined;
  /** The START or the END event reports a failure. */
  readonly failed: boolean;
  /** A START whose END has not arrived while its session still runs (no SESSION_END yet). */
  readonly open: boolean;
  /**
   * A START whose END never arrived although its session has ended: the agent stopped
   * without saying so (a crash, a handoff its SDK did not close), not still running.
   */
  readonly endMissing: boolean;
  /** The latest event in the span or below it: how long the span is known to have lasted. */
  readonly lastSeenMs: number;
  /**
   * Shown inside an agent's span although its parent is the session's span: the session is
   * flat (every event hangs on the session span, as the Python SDK sends them), so rows are
   * placed under the span of their agent (same agent id) that was open at their time.
   */
  readonly placedByAgent: boolean;
}

interface SpanNode {
  /** The span id, or "event <event_id>" for an event without one. */
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly first: Event;
  readonly end: Event | undefined;
  /** Further events that carry the same span id: shown as rows inside the span. */
  readonly others: Event[];
  readonly children: SpanNode[];
}

/**
 * A session's events as rows, depth-first: spans nested by `parent_span_id`, siblings in time
 * order (ties by event id: the SDK's UUIDv7 ids sort in creation order). The same tree the
 * example's terminal renderer prints. A flat session is nested under its agents' spans (see
 * `SpanRow.placedByAgent`).
 */
export function buildSpanRows(events: readonly Event[]): SpanRow[] {
  const bySpan = new Map<string, Event[]>();
  for (const event of events) {
    // An event without a span id is a span of its own, never a parent of anything.
    const key = event.spanId === "" ? `event ${event.eventId}` : event.spanId;
    const group = bySpan.get(key);
    if (group === undefined) bySpan.set(key, [event]);
    else group.push(event);
  }
  const nodes = new Map<string, SpanNode>();
  for (const [spanId, group] of bySpan) {
    group.sort(byTime);
    const end = group.find((event) => isEndType(event.type));
    const first = group.find((event) => event !== end) ?? end ?? (group[0] as Event);
    nodes.set(spanId, {
      spanId,
      parentSpanId: first.parentSpanId,
      first,
      end: end === first ? undefined : end,
      others: group.filter((event) => event !== first && event !== end),
      children: [],
    });
  }
  const roots: SpanNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentSpanId === "" ? undefined : nodes.get(node.parentSpanId);
    if (parent !== undefined && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  const placedByAgent = isFlat(nodes) ? nestUnderAgents(roots) : new Set<SpanNode>();
  const sessionEnded = events.some((event) => event.type === EventType.SESSION_END);

  const rows: SpanRow[] = [];
  const visited = new Set<SpanNode>();
  const visit = (node: SpanNode, depth: number) => {
    if (visited.has(node)) return;
    visited.add(node);
    rows.push(
      spanRow(node.spanId, depth, node.first, node.end, {
        sessionEnded,
        placedByAgent: placedByAgent.has(node),
        lastSeenMs: lastSeenMs(node, new Set()),
      }),
    );
    const inside = [
      ...node.others.map((event) => ({ at: event, row: () => pointRow(event, depth + 1) })),
      ...node.children.map((child) => ({ at: child.first, row: () => visit(child, depth + 1) })),
    ].sort((a, b) => byTime(a.at, b.at));
    for (const item of inside) item.row();
  };
  const pointRow = (event: Event, depth: number) => {
    rows.push(
      spanRow(event.eventId, depth, event, undefined, {
        sessionEnded,
        placedByAgent: false,
        lastSeenMs: eventMs(event),
      }),
    );
  };
  for (const root of roots.sort((a, b) => byTime(a.first, b.first))) visit(root, 0);
  // Spans whose parents form a cycle (malformed input) are reached from no root: shown last.
  for (const node of nodes.values()) visit(node, 0);
  return rows;
}

/** Every span in the session hangs directly on a SESSION_START span (or on nothing). */
function isFlat(nodes: ReadonlyMap<string, SpanNode>): boolean {
  let agents = 0;
  for (const node of nodes.values()) {
    if (node.first.type === EventType.AGENT_START) agents += 1;
    const parent = nodes.get(node.parentSpanId);
    if (parent !== undefined && parent.first.type !== EventType.SESSION_START) return false;
  }
  return agents > 0;
}

/**
 * Moves each child of a session span under the span of its agent (same `agent_id`) that had
 * started and not ended at the child's time, the latest such one. Returns the moved nodes.
 */
function nestUnderAgents(roots: readonly SpanNode[]): Set<SpanNode> {
  const moved = new Set<SpanNode>();
  for (const session of roots) {
    if (session.first.type !== EventType.SESSION_START) continue;
    const agents = session.children.filter((node) => node.first.type === EventType.AGENT_START);
    const stay: SpanNode[] = [];
    for (const child of session.children) {
      const agent =
        child.first.type === EventType.AGENT_START ? undefined : agentSpanAt(agents, child.first);
      if (agent === undefined) {
        stay.push(child);
      } else {
        agent.children.push(child);
        moved.add(child);
      }
    }
    session.children.splice(0, session.children.length, ...stay);
  }
  return moved;
}

function agentSpanAt(agents: readonly SpanNode[], event: Event): SpanNode | undefined {
  if (event.agentId === "") return undefined;
  const at = eventMs(event);
  let found: SpanNode | undefined;
  for (const agent of agents) {
    const startMs = eventMs(agent.first);
    const ended = agent.end !== undefined && eventMs(agent.end) < at;
    if (agent.first.agentId !== event.agentId || startMs > at || ended) continue;
    if (found === undefined || startMs >= eventMs(found.first)) found = agent;
  }
  return found;
}

/** The latest event time in a node and below it (`seen` stops at a cycle of parents). */
function lastSeenMs(node: SpanNode, seen: Set<SpanNode>): number {
  seen.add(node);
  let latest = Math.max(...[node.first, ...node.others].map(eventMs));
  if (node.end !== undefined) latest = Math.max(latest, eventMs(node.end));
  for (const child of node.children) {
    if (!seen.has(child)) latest = Math.max(latest, lastSeenMs(child, seen));
  }
  return latest;
}

function spanRow(
  key: string,
  depth: number,
  first: Event,
  end: Event | undefined,
  context: { sessionEnded: boolean; placedByAgent: boolean; lastSeenMs: number },
): SpanRow {
  const withoutEnd = end === undefined && END_OF_START.has(first.type);
  return {
    key,
    depth,
    first,
    end,
    startMs: eventMs(first),
    endMs: end === undefined ? undefined : eventMs(end),
    failed: isFailure(first) || (end !== undefined && isFailure(end)),
    open: withoutEnd && !context.sessionEnded,
    endMissing: withoutEnd && context.sessionEnded,
    lastSeenMs: context.lastSeenMs,
    placedByAgent: context.placedByAgent,
  };
}

function byTime(a: Event, b: Event): number {
  return eventMs(a) - eventMs(b) || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}
