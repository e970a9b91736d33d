// The totals a batch carries (cost, tokens, duration), summed as the batch is cut.

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

const END_TYPES: readonly EventType[] = [
  EventType.SESSION_END,
  EventType.AGENT_END,
  EventType.MODEL_INVOCATION_END,
  EventType.TOOL_CALL_END,
  EventType.MCP_CALL_END,
];

/** The largest value of `EventBatch.total_tokens`, an int32. */
const INT32_MAX = 2 ** 31 - 1;

/** `value` when it is a finite number, else 0 (so a hostile NaN or Infinity cannot poison a sum). */
const finite = (value: number | undefined): number =>
  Number.isFinite(value) ? (value as number) : 0;

/** The running sums of a batch being assembled: [totalCost, totalTokens, totalDurationMs]. */
export type Sums = readonly [cost: number, tokens: number, durationMs: number];

/** `sums` with `event` added: a new array, so a batch being cut can try an event and back out. */
export function addToSums([cost, tokens, durationMs]: Sums, event: Event): Sums {
  const { type, content } = event;
  // Of the content messages only LLMInvocation has `durationMs`, and only ToolResponse and
  // MCPCall have `executionTimeMs`: reading them by name picks the right one per case.
  const value = content.value as { durationMs?: number; executionTimeMs?: number } | undefined;
  if (type === EventType.MODEL_INVOCATION_END && content.case === "llmInvocation") {
    const llm = content.value;
    tokens = Math.min(
      INT32_MAX,
      tokens +
        Math.max(
          0,
          finite(llm.totalTokens !== 0 ? llm.totalTokens : llm.promptTokens + llm.completionTokens),
        ),
    );
  }
  return [
    cost + finite(event.cost?.totalCost),
    tokens,
    durationMs +
      (END_TYPES.includes(type)
        ? finite(event.performance?.durationMs) ||
          finite(value?.durationMs ?? value?.executionTimeMs)
        : 0),
  ];
}

export const toAggregates = ([totalCost, totalTokens, totalDurationMs]: Sums): BatchAggregates => ({
  totalCost,
  totalTokens,
  totalDurationMs,
});

export const batchAggregates = (events: readonly Event[]): BatchAggregates =>
  toAggregates(events.reduce(addToSums, [0, 0, 0]));
