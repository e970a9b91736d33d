import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { EventSchema, EventType, Severity } from "@chaukas/spec/common/v1";
import { describe, expect, it } from "vitest";
import { NO_FILTER, visibleRows } from "./event-filter.js";
import type { SpanRow } from "./span-rows.js";

function row(key: string, depth: number, init: MessageInitShape<typeof EventSchema>): SpanRow {
  const first = create(EventSchema, { eventId: key, ...init });
  return {
    key,
    depth,
    first,
    end: undefined,
    startMs: 0,
    endMs: undefined,
    failed: false,
    open: false,
    endMissing: false,
    lastSeenMs: 0,
    placedByAgent: false,
  };
}

const rows = [
  row("session", 0, { type: EventType.SESSION_START, agentId: "desk" }),
  row("planner", 1, { type: EventType.AGENT_START, agentId: "planner" }),
  row("tool", 2, { type: EventType.TOOL_CALL_START, agentId: "planner", severity: Severity.ERROR }),
  row("note", 1, { type: EventType.SYSTEM, agentId: "desk", severity: Severity.INFO }),
];
const keys = (shown: ReturnType<typeof visibleRows>) =>
  shown.map(({ row: r, matches }) => `${r.key}${matches ? "" : " (context)"}`);

describe("visibleRows", () => {
  it("shows everything without a filter", () => {
    expect(keys(visibleRows(rows, NO_FILTER))).toEqual(["session", "planner", "tool", "note"]);
  });

  it("keeps the ancestors of a match as context, in tree order", () => {
    expect(keys(visibleRows(rows, { ...NO_FILTER, type: EventType.TOOL_CALL_START }))).toEqual([
      "session (context)",
      "planner (context)",
      "tool",
    ]);
  });

  it("filters by agent (id or name) and by lowest severity", () => {
    expect(keys(visibleRows(rows, { ...NO_FILTER, agent: "desk" }))).toEqual(["session", "note"]);
    expect(keys(visibleRows(rows, { ...NO_FILTER, minSeverity: Severity.WARN }))).toEqual([
      "session (context)",
      "planner (context)",
      "tool",
    ]);
  });
});
