import { equals, isMessage, toBinary } from "@bufbuild/protobuf";
import { TimestampSchema, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { timestampAt, timestampFromFractionalMs } from "./clock.js";

describe("timestampAt", () => {
  it("makes the Timestamp protobuf-es's timestampFromMs makes, within a second and across seconds", () => {
    const now = Date.now();
    for (const ms of [now, now + 1, now + 999, now + 1000, 0, 999, -1, -1500, 253402300799999]) {
      const ours = timestampAt(ms);
      const theirs = timestampFromMs(ms);
      expect(isMessage(ours, TimestampSchema)).toBe(true);
      expect(equals(TimestampSchema, ours, theirs), String(ms)).toBe(true);
      expect(toBinary(TimestampSchema, ours)).toEqual(toBinary(TimestampSchema, theirs));
    }
  });

  it("gives each call its own message (events of one second share only the seconds value)", () => {
    const a = timestampAt(1_700_000_000_100);
    const b = timestampAt(1_700_000_000_200);
    a.nanos = 0;
    expect(b.nanos).toBe(200_000_000);
    expect(timestampFromFractionalMs(1_700_000_000_100.75).nanos).toBe(100_750_000);
  });

  it("keeps nanos a whole number for fractional milliseconds, as a caller's span times are", () => {
    // 1_723_000_000_123.456_789 ms is not a whole number of nanoseconds as a double.
    const timestamp = timestampAt(1_723_000_000_000 + 123.456_789);
    expect(Number.isInteger(timestamp.nanos)).toBe(true);
    expect(timestamp.nanos).toBeGreaterThanOrEqual(123_456_000);
    expect(timestamp.nanos).toBeLessThan(123_457_000);
  });
});
