import { describe, expect, it } from "vitest";
import { createStackContextManager } from "../builders/stack-context-manager.js";
import { formatTraceparent, parseTraceparent } from "./trace-context.js";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT = "00f067aa0ba902b7";

describe("parseTraceparent", () => {
  it("reads the W3C example header", () => {
    expect(parseTraceparent(`00-${TRACE}-${PARENT}-01`)).toEqual({
      traceId: TRACE,
      parentId: PARENT,
      flags: 1,
    });
  });

  it.each([
    ["all-zero trace id", `00-${"0".repeat(32)}-${PARENT}-01`],
    ["all-zero parent id", `00-${TRACE}-${"0".repeat(16)}-01`],
    ["version ff", `ff-${TRACE}-${PARENT}-01`],
    ["upper-case hex", `00-${TRACE.toUpperCase()}-${PARENT}-01`],
    ["short trace id", `00-${TRACE.slice(1)}-${PARENT}-01`],
    ["extra field on version 00", `00-${TRACE}-${PARENT}-01-extra`],
    ["garbage", "hello"],
  ])("rejects %s", (_, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it("accepts extra fields of a future version", () => {
    expect(parseTraceparent(`01-${TRACE}-${PARENT}-00-what-ever`)?.traceId).toBe(TRACE);
  });

  it("round-trips with formatTraceparent", () => {
    const header = formatTraceparent({ traceId: TRACE, spanId: PARENT });
    expect(header).toBe(`00-${TRACE}-${PARENT}-01`);
    expect(parseTraceparent(header)).toEqual({ traceId: TRACE, parentId: PARENT, flags: 1 });
  });
});

describe("createStackContextManager", () => {
  it("nests scopes and restores the outer one, also after a throw", () => {
    const cm = createStackContextManager();
    const a = { sessionId: "s", traceId: TRACE, spanId: "a".repeat(16) };
    const b = { sessionId: "s", traceId: TRACE, spanId: "b".repeat(16) };
    expect(cm.active()).toBeUndefined();
    cm.with(a, () => {
      expect(cm.active()).toBe(a);
      expect(() =>
        cm.with(b, () => {
          expect(cm.active()).toBe(b);
          throw new Error("boom");
        }),
      ).toThrow("boom");
      expect(cm.active()).toBe(a);
    });
    expect(cm.active()).toBeUndefined();
  });
});
