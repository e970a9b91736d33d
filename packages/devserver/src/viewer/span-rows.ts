import type { Event } from "@chaukas/spec/common/v1";
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
  /** The END event's time; undefined for single events and spans still open. */
  readonly endMs: number | undefined;
  /** The START or the END event reports a failure. */
  readonly failed: boolean;
  /** A START event whose END has not arrived yet. */
  readonly open: boolean;
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
 * example's terminal renderer prints.
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

  const rows: SpanRow[] = [];
  const visited = new Set<SpanNode>();
  const visit = (node: SpanNode, depth: number) => {
    if (visited.has(node)) return;
    visited.add(node);
    rows.push(spanRow(node.spanId, depth, node.first, node.end));
    const inside = [
      ...node.others.map((event) => ({ at: event, row: () => pointRow(event, depth + 1) })),
      ...node.children.map((child) => ({ at: child.first, row: () => visit(child, depth + 1) })),
    ].sort((a, b) => byTime(a.at, b.at));
    for (const item of inside) item.row();
  };
  const pointRow = (event: Event, depth: number) => {
    rows.push(spanRow(event.eventId, depth, event, undefined));
  };
  for (const root of roots.sort((a, b) => byTime(a.first, b.first))) visit(root, 0);
  // Spans whose parents form a cycle (malformed input) are reached from no root: shown last.
  for (const node of nodes.values()) visit(node, 0);
  return rows;
}

function spanRow(key: string, depth: number, first: Event, end: Event | undefined): SpanRow {
  return {
    key,
    depth,
    first,
    end,
    startMs: eventMs(first),
    endMs: end === undefined ? undefined : eventMs(end),
    failed: isFailure(first) || (end !== undefined && isFailure(end)),
    open: end === undefined && END_OF_START.has(first.type),
  };
}

function byTime(a: Event, b: Event): number {
  return eventMs(a) - eventMs(b) || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}
