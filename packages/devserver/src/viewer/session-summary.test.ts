import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { EventSchema, EventStatus, EventType } from "@chaukas/spec/common/v1";
import { describe, expect, it } from "vitest";
import { summarizeSessions } from "./session-summary.js";

const at = (ms: number) => timestampFromMs(1_700_000_000_000 + ms);

describe("summarizeSessions", () => {
  it("sums tokens, cost and failures per session and lists the newest first", () => {
    const events = [
      create(EventSchema, {
        eventId: "1",
        sessionId: "old",
        type: EventType.SESSION_START,
        agentName: "Support Desk",
        timestamp: at(0),
      }),
      create(EventSchema, {
        eventId: "2",
        sessionId: "old",
        type: EventType.MODEL_INVOCATION_END,
        timestamp: at(100),
        content: { case: "llmInvocation", value: { totalTokens: 150 } },
        cost: { totalCost: 0.25 },
      }),
      create(EventSchema, {
        eventId: "3",
        sessionId: "old",
        type: EventType.TOOL_CALL_END,
        status: EventStatus.FAILED,
        timestamp: at(200),
      }),
      create(EventSchema, {
        eventId: "4",
        sessionId: "old",
        type: EventType.SESSION_END,
        timestamp: at(900),
      }),
      create(EventSchema, {
        eventId: "5",
        sessionId: "new",
        type: EventType.ERROR,
        agentId: "bot",
        timestamp: at(5000),
      }),
      create(EventSchema, {
        eventId: "6",
        sessionId: "new",
        type: EventType.SYSTEM,
        timestamp: at(5300),
      }),
    ];
    const [newest, oldest] = summarizeSessions(events);
    expect(newest).toMatchObject({
      sessionId: "new",
      agent: "bot",
      ended: false,
      durationMs: 300,
      eventCount: 2,
      errorCount: 1,
    });
    expect(oldest).toMatchObject({
      sessionId: "old",
      agent: "Support Desk",
      ended: true,
      durationMs: 900,
      eventCount: 4,
      errorCount: 1,
      tokens: 150,
      costUsd: 0.25,
    });
  });
});
