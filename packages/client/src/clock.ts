import { create } from "@bufbuild/protobuf";
import { type Timestamp, TimestampSchema } from "@bufbuild/protobuf/wkt";

/** Wall-clock milliseconds, for timestamps. */
export function wallMs(): number {
  return Date.now();
}

/**
 * Monotonic milliseconds, for durations: a wall clock can step (NTP, DST-less but manual
 * changes) between a span's start and end; `performance.now()` cannot.
 */
export function monotonicMs(): number {
  return globalThis.performance?.now() ?? Date.now();
}

/**
 * A Timestamp from possibly fractional milliseconds (a start time plus a monotonic
 * duration): `timestampFromMs` would leave fractional nanos, which are not an int32.
 */
export function timestampFromFractionalMs(ms: number): Timestamp {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.min(999_999_999, Math.round((ms - seconds * 1000) * 1e6));
  return create(TimestampSchema, { seconds: BigInt(seconds), nanos });
}
