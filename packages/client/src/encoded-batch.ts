import { create, toBinary } from "@bufbuild/protobuf";
import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { type Event, type EventBatch, EventBatchSchema } from "@chaukas/spec/common/v1";
import { addToSums, batchAggregates, type Sums, toAggregates } from "./batch-aggregates.js";
import { uuidv7 } from "./ids.js";

/**
 * Batches assembled from the encodings of their events, so each event is encoded once: the
 * processor needs an event's bytes anyway to cut batches at `maxBatchBytes` exactly, and
 * encoding the whole batch again at send time doubled the CPU per event.
 */

/**
 * Where a batch carries its encoding: a non-enumerable symbol property, invisible to spreads,
 * JSON and equality checks. Not a WeakMap: a WeakMap keyed by short-lived batches made V8
 * allocate every new object in the old generation (allocation-site pretenuring), so an agent
 * dropping events during an outage grew by ~80 MB of garbage between full collections.
 */
const ENCODING = Symbol("chaukas.encoding");

/** The encoding, and what it was made from: a batch edited since is encoded afresh. */
type Encoding = [bytes: Uint8Array, events: Event[], count: number, batchId: string];

/** Bytes of the base-128 varint of a non-negative integer. */
const varintSize = (value: number): number => {
  let size = 1;
  for (; value >= 128; size++) value /= 128;
  return size;
};

/**
 * Encodes `events` as the `events` fields of an `EventBatch` (tag 3, length, event): one
 * `toBinary` over all of them (one growing buffer instead of one per event), then split into
 * one view per event. Throws what `toBinary` throws if any event cannot be encoded.
 */
export function encodeEventFields(events: Event[]): Uint8Array[] {
  // Events set after create(): given to it, a plain object that is no Event would be turned
  // into one instead of failing here.
  const batch = create(EventBatchSchema);
  batch.events = events;
  const bytes = toBinary(EventBatchSchema, batch);
  const reader = new BinaryReader(bytes);
  return events.map(() => {
    const start = reader.pos;
    reader.tag();
    reader.skip(2); // WireType.LengthDelimited
    return bytes.subarray(start, reader.pos);
  });
}

/** A new batch of `events`: a fresh UUIDv7 `batch_id`, the current time, the aggregates. */
export const newBatch = (events: Event[]): EventBatch =>
  create(EventBatchSchema, {
    batchId: uuidv7(),
    timestamp: timestampFromMs(Date.now()),
    events,
    ...batchAggregates(events),
  });

/**
 * Cuts a new batch off the start of `entries` (events with their `encodeEventFields` bytes):
 * as many events as fit `maxEvents` and `maxBytes` of the `IngestEventBatchRequest` it makes,
 * measured exactly; the first event goes even alone above `maxBytes` (only the backend can
 * refuse it). The batch carries the request's bytes for `encodedEventBatch`.
 */
export function cutEncodedBatch(
  entries: readonly (readonly [Event, Uint8Array, ...unknown[]])[],
  maxEvents: number,
  maxBytes: number,
): EventBatch {
  const events: Event[] = [];
  const batch = newBatch(events);
  let sums: Sums = [0, 0, 0];
  // Fields 1-2 (id, timestamp) come before the events (3), the aggregates (10-12) after them.
  const parts: Uint8Array[] = [toBinary(EventBatchSchema, batch)];
  let length = parts[0]!.length; // of the batch without its aggregates
  for (let i = 0; i < entries.length && events.length < maxEvents; i++) {
    const [event, field] = entries[i]!;
    const next = addToSums(sums, event);
    // What the aggregates' fields take: a set double is tag + 8 bytes (sums are never -0).
    const batchLength =
      length +
      field.length +
      (next[0] && 9) +
      (next[1] && 1 + varintSize(next[1])) +
      (next[2] && 9);
    // The request: tag 1 (event_batch), its length, the batch.
    if (events.length > 0 && 1 + varintSize(batchLength) + batchLength > maxBytes) {
      break;
    }
    events.push(event);
    parts.push(field);
    length += field.length;
    sums = next;
  }
  const aggregates = toAggregates(sums);
  Object.assign(batch, aggregates).events = events;
  const tail = toBinary(EventBatchSchema, create(EventBatchSchema, aggregates));
  parts.push(tail);
  // The request minus its tag: the length of the batch as a varint, then the batch.
  const writer = new BinaryWriter().uint32(length + tail.length);
  for (const part of parts) writer.raw(part);
  const encoding: Encoding = [writer.finish(), events, events.length, batch.batchId];
  Object.defineProperty(batch, ENCODING, { value: encoding });
  return batch;
}

/**
 * The bytes of `IngestEventBatchRequest { event_batch = batch }` without the leading tag, as
 * `cutEncodedBatch` made them, or undefined when there are none or the batch's id or event list
 * changed since (an exporter wrapping another may edit it).
 */
export function encodedEventBatch(batch: EventBatch): Uint8Array | undefined {
  const encoding = (batch as { [ENCODING]?: Encoding })[ENCODING];
  return encoding?.[1] === batch.events &&
    encoding[2] === batch.events.length &&
    encoding[3] === batch.batchId
    ? encoding[0]
    : undefined;
}
