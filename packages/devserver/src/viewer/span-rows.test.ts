import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { type Event, EventSchema, EventStatus, EventType } from "@chaukas/spec/common/v1";
import { describe, expect, it } from "vitest";
import { buildSpanRows } from "./span-rows.js";

let n = 0;
function event(
  type: EventType,
  atMs: number,
  spanId: string,
  parentSpanId = "",
  extra: MessageInitShape<typeof EventSchema> = {},
): Event {
  n += 1;
  return create(EventSchema, {
    eventId: `e${String(n).padStart(3, "0")}`,
    type,
    spanId,
    parentSpanId,
    sessionId: "s",
    timestamp: timestampFromMs(1_700_000_000_000 + atMs),
    ...extra,
  });
}

const shape = (events: Event[]) =>
  buildSpanRows(events).map((row) => [
    row.depth,
    EventType[row.first.type],
    row.end && EventType[row.end.type],
  ]);

describe("buildSpanRows", () => {
  it("pairs START and END into one row and nests spans by parent, children in time order", () => {
    const events = [
      event(EventType.SESSION_START, 0, "root"),
      event(EventType.AGENT_START, 10, "agent", "root"),
      event(EventType.TOOL_CALL_START, 30, "tool", "agent"),
      event(EventType.INPUT_RECEIVED, 5, "input", "root"),
      event(EventType.TOOL_CALL_END, 40, "tool", "agent"),
      event(EventType.AGENT_END, 50, "agent", "root"),
      event(EventType.SESSION_END, 60, "root"),
    ];
    expect(shape(events)).toEqual([
      [0, "SESSION_START", "SESSION_END"],
      [1, "INPUT_RECEIVED", undefined],
      [1, "AGENT_START", "AGENT_END"],
      [2, "TOOL_CALL_START", "TOOL_CALL_END"],
    ]);
    const tool = buildSpanRows(events)[3];
    expect(tool?.startMs).toBe(1_700_000_000_030);
    expect(tool?.endMs).toBe(1_700_000_000_040);
  });

  it("marks a row failed when its END failed, and keeps a span without END open", () => {
    const rows = buildSpanRows([
      event(EventType.TOOL_CALL_START, 0, "a"),
      event(EventType.TOOL_CALL_END, 5, "a", "", { status: EventStatus.FAILED }),
      event(EventType.MODEL_INVOCATION_START, 6, "b"),
    ]);
    expect(rows.map((row) => [row.failed, row.endMs, row.open, row.endMissing])).toEqual([
      [true, 1_700_000_000_005, false, false],
      [false, undefined, true, false],
    ]);
  });

  it("calls a START without END 'end missing', not open, once its session has ended", () => {
    const rows = buildSpanRows([
      event(EventType.SESSION_START, 0, "root"),
      event(EventType.AGENT_START, 1, "agent", "root"),
      event(EventType.TOOL_CALL_START, 2, "tool", "agent"),
      event(EventType.TOOL_CALL_END, 3, "tool", "agent"),
      event(EventType.SESSION_END, 9, "root"),
    ]);
    expect(rows.map((row) => [EventType[row.first.type], row.open, row.endMissing])).toEqual([
      ["SESSION_START", false, false],
      ["AGENT_START", false, true],
      ["TOOL_CALL_START", false, false],
    ]);
    // The agent is known to have lasted until its tool call ended.
    expect(rows[1]?.lastSeenMs).toBe(1_700_000_000_003);
  });

  it("nests a flat session (every event on the session span) under its agents by time", () => {
    const agent = (name: string) => ({ agentId: name, agentName: name });
    const events = [
      event(EventType.SESSION_START, 0, "root"),
      event(EventType.INPUT_RECEIVED, 1, "in", "root"),
      event(EventType.SYSTEM, 2, "sys", "root", agent("triage")),
      event(EventType.AGENT_START, 3, "a1", "root", agent("triage")),
      event(EventType.MODEL_INVOCATION_START, 4, "m1", "root", agent("triage")),
      event(EventType.MODEL_INVOCATION_END, 5, "m1", "root", agent("triage")),
      event(EventType.AGENT_END, 6, "a1", "root", agent("triage")),
      event(EventType.TOOL_CALL_START, 7, "t-late", "root", agent("triage")),
      event(EventType.AGENT_START, 8, "a2", "root", agent("refunds")),
      event(EventType.TOOL_CALL_START, 9, "t", "root", agent("refunds")),
      event(EventType.ERROR, 10, "err", "root", agent("someone-else")),
      event(EventType.SESSION_END, 11, "root"),
    ];
    const rows = buildSpanRows(events);
    expect(shape(events)).toEqual([
      [0, "SESSION_START", "SESSION_END"],
      [1, "INPUT_RECEIVED", undefined],
      // Before its agent started: stays on the session.
      [1, "SYSTEM", undefined],
      [1, "AGENT_START", "AGENT_END"],
      [2, "MODEL_INVOCATION_START", "MODEL_INVOCATION_END"],
      // After its agent ended: stays on the session.
      [1, "TOOL_CALL_START", undefined],
      [1, "AGENT_START", undefined],
      [2, "TOOL_CALL_START", undefined],
      [1, "ERROR", undefined],
    ]);
    expect(rows.filter((row) => row.placedByAgent).map((row) => row.key)).toEqual(["m1", "t"]);
  });

  it("leaves a nested session as its parents say", () => {
    const events = [
      event(EventType.SESSION_START, 0, "root"),
      event(EventType.AGENT_START, 1, "agent", "root", { agentId: "a" }),
      event(EventType.TOOL_CALL_START, 2, "tool", "agent", { agentId: "a" }),
      // On the session span on purpose, during the agent's run.
      event(EventType.SYSTEM, 3, "note", "root", { agentId: "a" }),
    ];
    expect(shape(events)).toEqual([
      [0, "SESSION_START", undefined],
      [1, "AGENT_START", undefined],
      [2, "TOOL_CALL_START", undefined],
      [1, "SYSTEM", undefined],
    ]);
    expect(buildSpanRows(events).some((row) => row.placedByAgent)).toBe(false);
  });

  it("shows every event: ones without a span id, and extra ones sharing a span", () => {
    const events = [
      event(EventType.SESSION_START, 0, "root"),
      event(EventType.SYSTEM, 1, "", "root"),
      event(EventType.SYSTEM, 2, "", "root"),
      event(EventType.RETRY, 3, "root", "root"),
    ];
    const rows = buildSpanRows(events);
    expect(rows).toHaveLength(4);
    expect(new Set(rows.map((row) => row.key)).size).toBe(4);
    expect(rows.map((row) => row.depth)).toEqual([0, 1, 1, 1]);
  });

  it("still lists spans whose parents form a cycle", () => {
    const rows = buildSpanRows([
      event(EventType.AGENT_START, 0, "a", "b"),
      event(EventType.AGENT_START, 1, "b", "a"),
    ]);
    expect(rows).toHaveLength(2);
  });
});
