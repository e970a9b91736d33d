import { create } from "@bufbuild/protobuf";
import { EventSchema, EventType } from "@chaukas/spec/common/v1";
import { describe, expect, it } from "vitest";
import { batchAggregates } from "./batch-aggregates.js";

describe("batchAggregates", () => {
  it("sums cost over all events, tokens over model ends, durations over END events only", () => {
    const events = [
      create(EventSchema, {
        type: EventType.MODEL_INVOCATION_START,
        content: { case: "llmInvocation", value: { totalTokens: 999, durationMs: 999 } },
      }),
      create(EventSchema, {
        type: EventType.MODEL_INVOCATION_END,
        content: { case: "llmInvocation", value: { totalTokens: 100, durationMs: 40 } },
        cost: { totalCost: 0.25 },
      }),
      create(EventSchema, {
        type: EventType.MODEL_INVOCATION_END,
        content: { case: "llmInvocation", value: { promptTokens: 7, completionTokens: 3 } },
        cost: { totalCost: 0.5 },
      }),
      create(EventSchema, {
        type: EventType.TOOL_CALL_END,
        content: { case: "toolResponse", value: { executionTimeMs: 12 } },
      }),
      create(EventSchema, {
        type: EventType.AGENT_END,
        performance: { durationMs: 100 },
      }),
      create(EventSchema, { type: EventType.SYSTEM, cost: { totalCost: Number.NaN } }),
    ];
    expect(batchAggregates(events)).toEqual({
      totalCost: 0.75,
      totalTokens: 110,
      totalDurationMs: 152,
    });
  });

  it("caps total tokens at the int32 maximum of the field", () => {
    const big = create(EventSchema, {
      type: EventType.MODEL_INVOCATION_END,
      content: { case: "llmInvocation", value: { totalTokens: 2 ** 31 - 1 } },
    });
    expect(batchAggregates([big, big]).totalTokens).toBe(2 ** 31 - 1);
  });
});
