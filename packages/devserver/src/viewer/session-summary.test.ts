import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { type Event, EventSchema, EventStatus, EventType } from "@chaukas/spec/common/v1";
import { describe, expect, it } from "vitest";
import { sessionName, summarizeSessions } from "./session-summary.js";

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
      name: "bot",
      ended: false,
      durationMs: 300,
      eventCount: 2,
      errorCount: 1,
    });
    expect(oldest).toMatchObject({
      sessionId: "old",
      name: "Support Desk",
      ended: true,
      durationMs: 900,
      eventCount: 4,
      errorCount: 1,
      tokens: 150,
      costUsd: 0.25,
    });
  });

  describe("a session's name", () => {
    const sessionId = "019df252-b5c0-7001-9e37-00002545f491";
    const event = (ms: number, init: MessageInitShape<typeof EventSchema>) =>
      create(EventSchema, { sessionId, timestamp: at(ms), ...init });
    const nameOf = (events: Event[]) =>
      sessionName(
        sessionId,
        events.find((e) => e.type === EventType.SESSION_START),
        events,
      );

    it("is the SESSION_START's agent name", () => {
      const start = event(0, { type: EventType.SESSION_START, agentName: "Planner", agentId: "p" });
      expect(nameOf([start, event(5, { type: EventType.SYSTEM, agentName: "Other" })])).toBe(
        "Planner",
      );
    });

    it("is the agent_name the Python SDK puts in SESSION_START's metadata", () => {
      const start = event(0, {
        type: EventType.SESSION_START,
        metadata: { framework: "openai_agents", agent_name: "Triage Agent" },
      });
      expect(nameOf([start, event(5, { type: EventType.AGENT_START, agentName: "Refunds" })])).toBe(
        "Triage Agent",
      );
    });

    it("is the earliest agent name, then the earliest agent id, of a SESSION_START without one", () => {
      const start = event(0, { type: EventType.SESSION_START });
      expect(
        nameOf([
          start,
          event(9, { type: EventType.AGENT_START, agentName: "Later" }),
          event(4, { type: EventType.AGENT_START, agentName: "Earlier" }),
        ]),
      ).toBe("Earlier");
      expect(
        nameOf([
          start,
          event(9, { type: EventType.TOOL_CALL_START, agentId: "agent-b" }),
          event(4, { type: EventType.TOOL_CALL_START, agentId: "agent-a" }),
        ]),
      ).toBe("agent-a");
    });

    it("is the end of the session id when no event names an agent", () => {
      expect(nameOf([event(0, { type: EventType.SESSION_START })])).toBe("session …00002545f491");
      expect(sessionName("s-42", undefined, [])).toBe("session s-42");
    });
  });
});
