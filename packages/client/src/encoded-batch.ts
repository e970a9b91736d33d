import { toBinary } from "@bufbuild/protobuf";
import { BinaryReader } from "@bufbuild/protobuf/wire";
import { type Event, type EventBatch, EventBatchSchema } from "@chaukas/spec/common/v1";

/**
 * The binary encoding of an `EventBatch`, assembled from the encodings of its events, so each
 * event is encoded once: the processor needs an event's bytes anyway to cut batches at
 * `maxBatchBytes`, and encoding the whole batch again at send time doubled the CPU per event.
 * The result is byte-for-byte what `toBinary(EventBatchSchema, batch)` writes (fields in
 * number order; `encoded-batch.test.ts` checks it).
 */

const EVENTS_FIELD = 3;

/**
 * Encodes `events` as the `events` fields of an `EventBatch` (tag 3, length, event): one
 * `toBinary` over all of them (one growing buffer instead of one per event), then split into
 * one view per event. Throws what `toBinary` throws if any event cannot be encoded.
 */
export function encodeEventFields(events: Event[]): Uint8Array[] {
  const buffer = toBinary(EventBatchSchema, {
    $typeName: "chaukas.spec.common.v1.EventBatch",
    batchId: "",
    events,
    totalCost: 0,
    totalTokens: 0,
    totalDurationMs: 0,
  });
  const fields = new Array<Uint8Array>(events.length);
  const reader = new BinaryReader(buffer);
  for (let i = 0; i < events.length; i++) {
    const start = reader.pos;
    const [fieldNo] = reader.tag();
    if (fieldNo !== EVENTS_FIELD) {
      throw new Error(`expected field ${EVENTS_FIELD} of EventBatch, found ${fieldNo}`);
    }
    const length = reader.uint32();
    reader.pos += length;
    fields[i] = buffer.subarray(start, reader.pos);
  }
  return fields;
}

interface Encoding {
  readonly bytes: Uint8Array;
  /** What the bytes were made from: a batch changed since then is encoded afresh. */
  readonly events: EventBatch["events"];
  readonly eventCount: number;
  readonly batchId: string;
}

/**
 * Where a batch carries its encoding: a non-enumerable symbol property, invisible to spreads,
 * JSON and equality checks. Not a WeakMap: a WeakMap keyed by short-lived batches made V8
 * allocate every new object in the old generation (allocation-site pretenuring), so an agent
 * dropping events during an outage grew by ~80 MB of garbage between full collections.
 */
const ENCODING = Symbol("chaukas.encodedEventBatch");

type EncodedBatch = EventBatch & { [ENCODING]?: Encoding };

/**
 * Encodes `batch` from `eventFields` (`encodeEventFields(batch.events)`, or any split of it into
 * pieces, same order) and remembers the result for `encodedEventBatch`.
 */
export function encodeEventBatch(
  batch: EventBatch,
  eventFields: readonly Uint8Array[],
): Uint8Array {
  // Fields 1-2 (id, timestamp) come before the events (3), 4 and 10-12 after them.
  const head = toBinary(EventBatchSchema, {
    $typeName: batch.$typeName,
    batchId: batch.batchId,
    timestamp: batch.timestamp,
    events: [],
    totalCost: 0,
    totalTokens: 0,
    totalDurationMs: 0,
  });
  const tail = toBinary(EventBatchSchema, {
    ...batch,
    batchId: "",
    timestamp: undefined,
    events: [],
  });
  let length = head.length + tail.length;
  for (const field of eventFields) {
    length += field.length;
  }
  const bytes = new Uint8Array(length);
  bytes.set(head, 0);
  let offset = head.length;
  for (const field of eventFields) {
    bytes.set(field, offset);
    offset += field.length;
  }
  bytes.set(tail, offset);
  const encoding: Encoding = {
    bytes,
    events: batch.events,
    eventCount: batch.events.length,
    batchId: batch.batchId,
  };
  Object.defineProperty(batch, ENCODING, { value: encoding, configurable: true, writable: true });
  return bytes;
}

/**
 * The encoding `encodeEventBatch` made of `batch`, or undefined when there is none or the
 * batch's id or event list was changed since (an exporter wrapping another may edit it).
 */
export function encodedEventBatch(batch: EventBatch): Uint8Array | undefined {
  const encoding = (batch as EncodedBatch)[ENCODING];
  if (
    encoding === undefined ||
    encoding.events !== batch.events ||
    encoding.eventCount !== batch.events.length ||
    encoding.batchId !== batch.batchId
  ) {
    return undefined;
  }
  return encoding.bytes;
}
