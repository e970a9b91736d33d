import { describe, expect, it } from "vitest";
import { newSpanId, newTraceId, uuidv7 } from "./ids.js";

const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("uuidv7", () => {
  it("has version 7, the RFC 9562 variant and the given time", () => {
    const id = uuidv7(1_700_000_000_123);
    expect(id).toMatch(UUIDV7);
    // RFC 9562: the first 48 bits are the Unix milliseconds.
    expect(Number.parseInt(id.replace(/-/g, "").slice(0, 12), 16)).toBe(1_700_000_000_123);
  });

  it("sorts in creation order within one millisecond and when the clock steps back", () => {
    const ids: string[] = [];
    const t = Date.now() + 10_000;
    for (let i = 0; i < 3000; i++) ids.push(uuidv7(t));
    for (let i = 0; i < 100; i++) ids.push(uuidv7(t - 5000));
    ids.push(uuidv7(t + 60_000));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids.every((id) => UUIDV7.test(id))).toBe(true);
  });
});

describe("W3C ids", () => {
  it("are lowercase hex of 32 (trace) and 16 (span) characters, never all zeros", () => {
    for (let i = 0; i < 100; i++) {
      expect(newTraceId()).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
      expect(newSpanId()).toMatch(/^(?!0{16})[0-9a-f]{16}$/);
    }
  });
});
