import { type Event, EventType } from "@chaukas/spec/common/v1";

/**
 * The optional aggregates of an `EventBatch`, so a backend can meter a batch without
 * decoding every event:
 * - `totalCost`: Σ `cost.total_cost` over all events.
 * - `totalTokens`: Σ `llm_invocation.total_tokens` over MODEL_INVOCATION_END events (prompt +
 *   completion when total is 0), capped at the int32 maximum of the field.
 * - `totalDurationMs`: Σ of the durations END events carry (SESSION_END, AGENT_END,
 *   MODEL_INVOCATION_END, TOOL_CALL_END, MCP_CALL_END): `performance.duration_ms` when set,
 *   else the content's own (`llm_invocation.duration_ms`, `tool_response.execution_time_ms`,
 *   `mcp_call.execution_time_ms`). Spans nest, so this is busy time summed per span, not
 *   wall-clock time: a session and the model call inside it both count.
 * START events are not counted, so a span is counted once. Non-finite values are skipped.
 */
export interface BatchAggregates {
  totalCost: number;
  totalTokens: number;
  totalDurationMs: number;
}

const INT32_MAX = 2 ** 31 - 1;

const END_TYPES: ReadonlySet<EventType> = new Set([
  EventType.SESSION_END,
  EventType.AGENT_END,
  EventType.MODEL_INVOCATION_END,
  EventType.TOOL_CALL_END,
  EventType.MCP_CALL_END,
]);

export function emptyAggregates(): BatchAggregates {
  return { totalCost: 0, totalTokens: 0, totalDurationMs: 0 };
}

function finite(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) ? value : 0;
}

/** What `event` adds to `cost`. */
export function eventCost(event: Event): number {
  return finite(event.cost?.totalCost);
}

/** What `event` adds to `tokens`. */
export function eventTokens(event: Event): number {
  if (event.type !== EventType.MODEL_INVOCATION_END || event.content.case !== "llmInvocation") {
    return 0;
  }
  const llm = event.content.value;
  const tokens = llm.totalTokens !== 0 ? llm.totalTokens : llm.promptTokens + llm.completionTokens;
  return Math.max(0, finite(tokens));
}

/** What `event` adds to `durationMs`. */
export function eventDurationMs(event: Event): number {
  if (!END_TYPES.has(event.type)) {
    return 0;
  }
  const performance = finite(event.performance?.durationMs);
  if (performance !== 0) {
    return performance;
  }
  switch (event.content.case) {
    case "llmInvocation":
      return finite(event.content.value.durationMs);
    case "toolResponse":
      return finite(event.content.value.executionTimeMs);
    case "mcpCall":
      return finite(event.content.value.executionTimeMs);
    default:
      return 0;
  }
}

/** Adds `event` to `into` (mutating it, so batch assembly allocates nothing per event). */
export function addToAggregates(into: BatchAggregates, event: Event): BatchAggregates {
  into.totalCost += eventCost(event);
  into.totalTokens = Math.min(INT32_MAX, into.totalTokens + eventTokens(event));
  into.totalDurationMs += eventDurationMs(event);
  return into;
}

export function batchAggregates(events: readonly Event[]): BatchAggregates {
  const aggregates = emptyAggregates();
  for (const event of events) {
    addToAggregates(aggregates, event);
  }
  return aggregates;
}
