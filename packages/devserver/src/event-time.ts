import type { Timestamp } from "@bufbuild/protobuf/wkt";

/** A timestamp as nanoseconds since the epoch; a missing timestamp sorts as the epoch. */
export function timestampNanos(timestamp: Timestamp | undefined): bigint {
  if (timestamp === undefined) return 0n;
  return timestamp.seconds * 1_000_000_000n + BigInt(timestamp.nanos);
}
