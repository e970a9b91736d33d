import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { EventSchema, EventStatus, EventType } from "@chaukas/spec/common/v1";
import { describe, expect, it } from "vitest";
import { rowDetail } from "./row-label.js";
import { buildSpanRows } from "./span-rows.js";

type Init = MessageInitShape<typeof EventSchema>;
const detailOf = (...inits: Init[]) =>
  rowDetail(
    buildSpanRows(inits.map((init, i) => create(EventSchema, { eventId: `e${i}`, ...init })))[0]!,
  );

describe("rowDetail", () => {
  it("shows a SYSTEM event's text from metadata.message, as the Python SDK writes it", () => {
    expect(
      detailOf({
        type: EventType.SYSTEM,
        agentId: "Triage Agent",
        metadata: { framework: "openai_agents", message: "Agent 'Triage Agent' initialized" },
      }),
    ).toBe("Agent 'Triage Agent' initialized");
  });

  it("shows a SESSION_START's agent from its metadata when the event names none", () => {
    expect(
      detailOf({
        type: EventType.SESSION_START,
        metadata: { framework: "openai_agents", agent_name: "Triage Agent" },
      }),
    ).toBe("Triage Agent");
    expect(
      detailOf({ type: EventType.SESSION_START, metadata: { framework: "openai_agents" } }),
    ).toBe("openai_agents");
  });

  it("shows why a span failed when its END carries error content", () => {
    const start = (type: EventType, content: NonNullable<Init["content"]>): Init => ({
      type,
      spanId: "s",
      content,
    });
    const failedEnd = (type: EventType): Init => ({
      type,
      spanId: "s",
      status: EventStatus.FAILED,
      content: { case: "error", value: { errorMessage: "rate limited" } },
    });
    expect(
      detailOf(
        start(EventType.TOOL_CALL_START, { case: "toolCall", value: { name: "issue_refund" } }),
        failedEnd(EventType.TOOL_CALL_END),
      ),
    ).toBe("issue_refund · rate limited");
    expect(
      detailOf(
        start(EventType.MODEL_INVOCATION_START, {
          case: "llmInvocation",
          value: { provider: "openai", model: "gpt-4o" },
        }),
        failedEnd(EventType.MODEL_INVOCATION_END),
      ),
    ).toBe("openai/gpt-4o · rate limited");
  });

  it("shows a RETRY's reason from metadata.retry_reason", () => {
    expect(
      detailOf({
        type: EventType.RETRY,
        retry: { attempt: 2, backoffMs: 400 },
        metadata: { retry_reason: "timeout" },
      }),
    ).toBe("attempt 2 after 400 ms · timeout");
    expect(detailOf({ type: EventType.RETRY, retry: { attempt: 1, backoffMs: 0 } })).toBe(
      "attempt 1 after 0 ms",
    );
  });
});
