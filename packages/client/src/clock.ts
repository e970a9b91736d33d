import { type Timestamp, timestampFromMs } from "@bufbuild/protobuf/wkt";

/**
 * Monotonic milliseconds, for durations: a wall clock can step (NTP, manual changes)
 * between a span's start and end; `performance.now()` cannot.
 */
export function monotonicMs(): number {
  return globalThis.performance?.now() ?? Date.now();
}

/**
 * A Timestamp from possibly fractional milliseconds (a start time plus a monotonic
 * duration): `timestampFromMs` alone would leave fractional nanos, which are not an int32.
 */
export function timestampFromFractionalMs(ms: number): Timestamp {
  const timestamp = timestampFromMs(ms);
  timestamp.nanos = Math.floor(timestamp.nanos);
  return timestamp;
}
