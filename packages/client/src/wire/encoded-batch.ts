// Events encoded once, and batches made of them: what the exporter sends as bytes.

import { create, toBinary } from "@bufbuild/protobuf";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { type Event, type EventBatch, EventBatchSchema } from "@chaukas/spec/common/v1";
import { uuidv7 } from "../builders/ids.js";
import {
  type PreEncodedIngestEventBatchRequest,
  PreEncodedIngestEventBatchRequestSchema,
} from "../gen/chaukas/client/v1/pre_encoded_batch_pb.js";
import { addToSums, type Sums, toAggregates } from "./batch-aggregates.js";
import type { EventExporter } from "./exporter.js";

/**
 * Batches whose events are encoded once. The processor needs every event's bytes to cut
 * batches at `maxBatchBytes` exactly; the Connect exporter sends those same bytes as a
 * `PreEncodedIngestEventBatchRequest` (our schema, wire-identical to the spec's request) instead
 * of encoding the events a second time.
 */

/** An event ready for a batch: the event, its binary encoding, its position in the queue. */
export interface EncodedEvent {
  readonly event: Event;
  /** `toBinary(EventSchema, event)`. */
  readonly bytes: Uint8Array;
  /** The event's sequence number in the processor's queue. */
  readonly seq: number;
}

/** What `sealBatch` attaches to a batch: the encodings of its events, in order. */
interface BatchEncoding {
  readonly events: readonly Uint8Array[];
  /** Bytes of the `IngestEventBatchRequest` holding the batch, measured while it was cut. */
  readonly requestBytes: number;
}

/**
 * Where a sealed batch keeps its encoding: a non-enumerable property, so spreads, JSON and
 * equality checks do not see it. A batch that was not sealed by `sealBatch` has none.
 */
const ENCODING = Symbol("chaukas.encoding");

/** Bytes of the base-128 varint of a non-negative integer. */
const varintSize = (value: number): number => {
  let size = 1;
  for (; value >= 128; size++) value /= 128;
  return size;
};

/** Bytes a length-delimited field of `length` bytes takes with a one-byte tag (fields 1-15). */
const fieldSize = (length: number): number => 1 + varintSize(length) + length;

/**
 * The binary encoding of each event: one `toBinary` over an `EventBatch` of all of them (one
 * growing buffer instead of one per event), then a view of each element of its field 3. Throws
 * what `toBinary` throws if any event cannot be encoded.
 */
export function encodeEvents(events: readonly Event[]): Uint8Array[] {
  // Events set after create(): given to it, a plain object that is no Event would be turned
  // into one instead of failing here.
  const batch = create(EventBatchSchema);
  batch.events = events as Event[];
  const bytes = toBinary(EventBatchSchema, batch);
  const reader = new BinaryReader(bytes);
  return events.map(() => {
    const [, wireType] = reader.tag();
    if (wireType !== WireType.LengthDelimited) {
      throw new Error(`an EventBatch's events field has wire type ${wireType}`);
    }
    return reader.bytes(); // a view into `bytes`, not a copy
  });
}

/** A new batch of `events`: a fresh UUIDv7 `batch_id`, the current time, the aggregates. */
export function newBatch(events: readonly Event[]): EventBatch {
  return create(EventBatchSchema, {
    batchId: uuidv7(),
    timestamp: timestampFromMs(Date.now()),
    events: events as Event[],
    ...toAggregates(events.reduce(addToSums, [0, 0, 0])),
  });
}

/**
 * Cuts a batch off the start of `entries`: as many events as fit `maxEvents` and `maxBytes` of
 * the `IngestEventBatchRequest` it makes, measured exactly; the first event goes even alone above
 * `maxBytes` (only the backend can refuse it). Returns the sealed batch.
 */
export function cutBatch(
  entries: readonly EncodedEvent[],
  maxEvents: number,
  maxBytes: number,
): EventBatch {
  const batch = newBatch([]);
  // The batch's own fields before the events (id, timestamp) as encoded now.
  const headBytes = toBinary(EventBatchSchema, batch).length;
  let eventBytes = 0;
  let sums: Sums = [0, 0, 0];
  let count = 0;
  let requestBytes = fieldSize(headBytes);
  for (const { event, bytes } of entries) {
    if (count === maxEvents) break;
    const nextSums = addToSums(sums, event);
    const nextEventBytes = eventBytes + fieldSize(bytes.length);
    const nextRequestBytes = fieldSize(headBytes + nextEventBytes + aggregatesBytes(nextSums));
    if (count > 0 && nextRequestBytes > maxBytes) break;
    count++;
    sums = nextSums;
    eventBytes = nextEventBytes;
    requestBytes = nextRequestBytes;
  }
  const taken = entries.slice(0, count);
  Object.assign(batch, toAggregates(sums));
  batch.events = taken.map((entry) => entry.event);
  return sealBatch(
    batch,
    taken.map((entry) => entry.bytes),
    requestBytes,
  );
}

/**
 * What the aggregates' fields (10-12) take when set: a double is tag + 8 bytes, the int32 tag +
 * varint. A sum of 0 is not written (proto3), and sums are never -0.
 */
function aggregatesBytes([cost, tokens, durationMs]: Sums): number {
  return (
    (cost !== 0 ? 9 : 0) + (tokens !== 0 ? 1 + varintSize(tokens) : 0) + (durationMs !== 0 ? 9 : 0)
  );
}

/**
 * Attaches the events' encodings to `batch`: what the Connect exporter sends instead of encoding
 * the events again. They stay true only while the events stay as they are, so the batch is
 * frozen (`freezeSealedBatch`) before code outside the SDK can reach its events.
 */
export function sealBatch(
  batch: EventBatch,
  events: readonly Uint8Array[],
  requestBytes: number,
): EventBatch {
  const encoding: BatchEncoding = { events, requestBytes };
  Object.defineProperty(batch, ENCODING, { value: encoding });
  return batch;
}

/**
 * Makes a sealed batch and its events immutable (deeply frozen): an exporter or interceptor can
 * no longer change an event after it was encoded (in strict-mode code the attempt throws a
 * TypeError), so the bytes sent are always the events it sees. One that wants different events
 * builds a new batch, which has no encoding attached and is encoded afresh. A batch that was not
 * sealed is left as it is: it belongs to whoever built it.
 *
 * Called where the events reach code outside the SDK: before an exporter gets the batch, except
 * the Connect exporter, which freezes it only when it hands the events to interceptors (the
 * spec's message; the bytes it sends otherwise expose no event), and in `fromStoredBatch`. Freezing costs ~4 µs per event,
 * the largest part of the SDK's own work per delivered event.
 */
export function freezeSealedBatch(batch: EventBatch): EventBatch {
  return encodingOf(batch) === undefined ? batch : deepFreeze(batch);
}

/** Exporters that freeze a sealed batch themselves, where they expose its events. */
const freezingExporters = new WeakSet<EventExporter>();

/** Marks `exporter` as freezing a sealed batch itself where it exposes the events; returns it. */
export function freezesWhereItExposesEvents(exporter: EventExporter): EventExporter {
  freezingExporters.add(exporter);
  return exporter;
}

/** `batch` as `exporter` gets it: frozen, unless the exporter freezes it itself. */
export const batchForExporter = (batch: EventBatch, exporter: EventExporter): EventBatch =>
  freezingExporters.has(exporter) ? batch : freezeSealedBatch(batch);

/** Splits a sealed batch in two halves, each a new sealed batch with a new id (same events). */
export function splitBatch(batch: EventBatch): [EventBatch, EventBatch] {
  const encoding = encodingOf(batch);
  const middle = Math.ceil(batch.events.length / 2);
  const entries: EncodedEvent[] = batch.events.map((event, i) => ({
    event,
    bytes: encoding?.events[i] ?? encodeEvents([event])[0]!,
    seq: i,
  }));
  return [
    cutBatch(entries.slice(0, middle), middle, Number.POSITIVE_INFINITY),
    cutBatch(entries.slice(middle), entries.length, Number.POSITIVE_INFINITY),
  ];
}

const encodingOf = (batch: EventBatch): BatchEncoding | undefined =>
  (batch as { [ENCODING]?: BatchEncoding })[ENCODING];

/**
 * Bytes of the `IngestEventBatchRequest` holding `batch` (binary encoding), as measured when it
 * was cut; measured now for a batch that was not sealed.
 */
export function requestBytesOf(batch: EventBatch): number {
  return encodingOf(batch)?.requestBytes ?? fieldSize(toBinary(EventBatchSchema, batch).length);
}

/**
 * The request for `batch` with its events as the bytes `sealBatch` attached, or undefined for a
 * batch that was not sealed (an exporter built another one): encode that one as a message.
 */
export function preEncodedRequest(
  batch: EventBatch,
): PreEncodedIngestEventBatchRequest | undefined {
  const encoding = encodingOf(batch);
  if (encoding === undefined) return undefined;
  const { batchId, timestamp, metadata, totalCost, totalTokens, totalDurationMs } = batch;
  return create(PreEncodedIngestEventBatchRequestSchema, {
    eventBatch: {
      batchId,
      timestamp,
      events: encoding.events as Uint8Array[],
      metadata,
      totalCost,
      totalTokens,
      totalDurationMs,
    },
  });
}

/**
 * Freezes a message and everything it holds. Messages are trees of plain objects and arrays
 * (the spec has no bytes fields, and a frozen typed array is impossible: they are skipped).
 */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !ArrayBuffer.isView(value)) {
    if (!Object.isFrozen(value)) {
      Object.freeze(value);
      for (const key of Object.keys(value)) {
        deepFreeze((value as Record<string, unknown>)[key]);
      }
    }
  }
  return value;
}
