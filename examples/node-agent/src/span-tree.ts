import { timestampMs } from "@bufbuild/protobuf/wkt";
import { type Event, EventType } from "@chaukas/spec/common/v1";

/** One span of a session: a START/END pair, or a single point event. */
export interface SpanNode {
  readonly spanId: string;
  readonly parentSpanId: string;
  /** The START event, or the point event itself. */
  readonly first: Event;
  /** The END event of a START/END pair. */
  readonly end?: Event;
  readonly startMs: number;
  /** End minus start, for START/END pairs. */
  readonly durationMs?: number;
  readonly children: SpanNode[];
}

const END_OF: ReadonlyMap<EventType, EventType> = new Map([
  [EventType.SESSION_END, EventType.SESSION_START],
  [EventType.AGENT_END, EventType.AGENT_START],
  [EventType.MODEL_INVOCATION_END, EventType.MODEL_INVOCATION_START],
  [EventType.TOOL_CALL_END, EventType.TOOL_CALL_START],
  [EventType.MCP_CALL_END, EventType.MCP_CALL_START],
]);

const eventMs = (event: Event) => (event.timestamp ? timestampMs(event.timestamp) : 0);

/**
 * Arranges a session's events as spans nested by `parent_span_id`, children in time order.
 * Spans whose parent is not among the events (the session, or orphans) are roots.
 */
export function buildSpanTree(events: readonly Event[]): SpanNode[] {
  const bySpan = new Map<string, Event[]>();
  for (const event of events) {
    const group = bySpan.get(event.spanId) ?? [];
    group.push(event);
    bySpan.set(event.spanId, group);
  }
  const nodes = new Map<string, SpanNode>();
  for (const [spanId, group] of bySpan) {
    const end = group.find((e) => END_OF.has(e.type));
    const first = group.find((e) => e !== end) ?? group[0]!;
    const startMs = eventMs(first);
    nodes.set(spanId, {
      spanId,
      parentSpanId: first.parentSpanId,
      first,
      ...(end !== undefined && end !== first
        ? { end, durationMs: Math.max(0, eventMs(end) - startMs) }
        : {}),
      startMs,
      children: [],
    });
  }
  const roots: SpanNode[] = [];
  for (const node of nodes.values()) {
    const parent = nodes.get(node.parentSpanId);
    if (parent !== undefined && parent !== node) {
      parent.children.push(node);
    } else {
      roots.push(node);
    }
  }
  // Within one millisecond, event ids decide: the SDK's UUIDv7 ids sort in creation order.
  const byTime = (a: SpanNode, b: SpanNode) =>
    a.startMs - b.startMs || (a.first.eventId < b.first.eventId ? -1 : 1);
  const sort = (list: SpanNode[]) => {
    list.sort(byTime);
    for (const node of list) {
      sort(node.children);
    }
  };
  sort(roots);
  return roots;
}
