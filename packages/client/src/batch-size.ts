import type { Timestamp } from "@bufbuild/protobuf/wkt";
import type { BatchAggregates } from "./batch-aggregates.js";

/**
 * The exact binary size of an `IngestEventBatchRequest`, computed from the encoded size of each
 * event (`toBinary(EventSchema, e).length`) plus the protobuf framing around it, so batches are
 * cut at `maxBatchBytes` without encoding the batch twice. `batch-size.test.ts` checks it
 * against `toBinary(IngestEventBatchRequestSchema, ...)`.
 */

/** Bytes of a base-128 varint of a non-negative integer. */
export function varintSize(value: number | bigint): number {
  let v = BigInt(value);
  if (v < 0n) {
    return 10; // negative int32/int64 are sign-extended to 64 bits
  }
  let size = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    size++;
  }
  return size;
}

function smallVarintSize(value: number): number {
  if (value < 0) {
    return 10;
  }
  let size = 1;
  let v = value;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    size++;
  }
  return size;
}

/** A length-delimited field with a one-byte tag (field numbers 1-15). */
function delimitedFieldSize(length: number): number {
  return 1 + smallVarintSize(length) + length;
}

/** What one encoded event adds to the request: `events` (field 3) tag, length, bytes. */
export function eventFieldSize(encodedEventLength: number): number {
  return delimitedFieldSize(encodedEventLength);
}

function timestampSize(timestamp: Timestamp): number {
  const seconds = timestamp.seconds === 0n ? 0 : 1 + varintSize(timestamp.seconds);
  const nanos = timestamp.nanos === 0 ? 0 : 1 + smallVarintSize(timestamp.nanos);
  return seconds + nanos;
}

// proto3 implicit presence as protobuf-es writes it: +0 is omitted, -0 and NaN are written.
function doubleFieldSize(value: number): number {
  return Object.is(value, 0) ? 0 : 9;
}

function int32FieldSize(value: number): number {
  return value === 0 ? 0 : 1 + smallVarintSize(value);
}

/** The envelope of a batch: everything in the request but the events. */
export interface BatchEnvelope {
  /** UTF-8 bytes of `batch_id`. */
  readonly batchIdBytes: number;
  readonly timestamp: Timestamp;
  readonly aggregates: BatchAggregates;
}

/**
 * Encoded size of `IngestEventBatchRequest { event_batch = EventBatch{...} }` whose events
 * contribute `eventFieldsBytes` (Σ `eventFieldSize`). `metadata` is never set by the processor.
 */
export function ingestRequestSize(envelope: BatchEnvelope, eventFieldsBytes: number): number {
  const batchLength =
    (envelope.batchIdBytes === 0 ? 0 : delimitedFieldSize(envelope.batchIdBytes)) +
    delimitedFieldSize(timestampSize(envelope.timestamp)) +
    eventFieldsBytes +
    doubleFieldSize(envelope.aggregates.totalCost) +
    int32FieldSize(envelope.aggregates.totalTokens) +
    doubleFieldSize(envelope.aggregates.totalDurationMs);
  return delimitedFieldSize(batchLength);
}
