import { timestampMs } from "@bufbuild/protobuf/wkt";
import { EventStatus, EventType, Severity, SortOrder } from "@chaukas/spec/common/v1";
import { describe, expect, it } from "vitest";
import { toQueryFilter, toSortOrder } from "./query-filter.js";
import { ChaukasValidationError } from "./validation/validation-error.js";

const defaults = { tenantId: "acme", projectId: "bot" };

describe("toQueryFilter", () => {
  it("accepts enum names with or without prefix, numbers, and Date/string/number times", () => {
    const filter = toQueryFilter(
      {
        sessionId: "s",
        types: ["TOOL_CALL_START", "EVENT_TYPE_TOOL_CALL_END", EventType.ERROR],
        statuses: ["FAILED"],
        severities: [Severity.ERROR, "SEVERITY_WARN"],
        time: { start: new Date(1000), end: "1970-01-01T00:00:02Z" },
      },
      defaults,
    );
    expect(filter).toMatchObject({
      tenantId: "acme",
      projectId: "bot",
      sessionId: "s",
      types: [EventType.TOOL_CALL_START, EventType.TOOL_CALL_END, EventType.ERROR],
      statuses: [EventStatus.FAILED],
      severities: [Severity.ERROR, Severity.WARN],
    });
    expect(timestampMs(filter.time!.start!)).toBe(1000);
    expect(timestampMs(filter.time!.end!)).toBe(2000);
    expect(toQueryFilter({ time: { end: 5 } }, defaults).time?.start).toBeUndefined();
  });

  it.each([
    [{ types: ["TOOL_CALL"] }, "types[0]"],
    [{ types: [EventType.ERROR, 999] }, "types[1]"],
    [{ types: ["UNSPECIFIED"] }, "types[0]"],
    [{ statuses: ["DONE"] }, "statuses[0]"],
    [{ time: { start: "yesterday" } }, "time.start"],
    [{ sessionId: 5 }, "session_id"],
    [{ tags: "x" }, "tags"],
  ])("rejects %j naming %s", (filter, field) => {
    expect(() => toQueryFilter(filter as never, defaults)).toThrow(
      expect.objectContaining({ field }) as ChaukasValidationError,
    );
  });

  it("maps sort orders", () => {
    expect(toSortOrder("asc")).toBe(SortOrder.ASC);
    expect(toSortOrder(undefined)).toBe(SortOrder.UNSPECIFIED);
    expect(() => toSortOrder("up" as never)).toThrow(ChaukasValidationError);
  });
});
