import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { IngestEventBatchRequestSchema } from "@chaukas/spec/client/v1";
import { type EventBatch, EventBatchSchema, EventSchema } from "@chaukas/spec/common/v1";
import { preEncodedRequest, sealBatch } from "./encoded-batch.js";
import { PreEncodedIngestEventBatchRequestSchema } from "./gen/chaukas/client/v1/pre_encoded_batch_pb.js";

/**
 * One batch kept in an outbox: its `batch_id` and the binary `IngestEventBatchRequest` that
 * carries it (the bytes the Connect exporter sends, readable with the spec's schema).
 */
export interface StoredBatch {
  readonly batchId: string;
  readonly request: Uint8Array;
}

/** What `Outbox.put` did to stay within its size bound. */
export interface OutboxPutResult {
  /** Older batches removed to make room, oldest first: their events are lost. */
  readonly evicted: readonly StoredBatch[];
}

/** What `Outbox.claim` found. */
export interface OutboxClaim {
  /**
   * Batches that earlier processes (or closed tabs) stored and the backend never acknowledged,
   * oldest first. They now belong to this outbox: no other process or tab delivers them.
   */
  readonly batches: readonly StoredBatch[];
  /** Records that could not be read (torn by a kill in mid-write, or corrupt): removed. */
  readonly corrupt: number;
}

/**
 * Durable storage of batches between their cut and the backend's acknowledgement (the client's
 * `outbox` option). `createFileOutbox` (`@chaukas/transport-node`) and `createIndexedDbOutbox`
 * (`@chaukas/transport-web`) implement it. The processor calls it off the caller's stack only,
 * and at most one call of `put`/`remove` at a time per batch.
 */
export interface Outbox {
  /** Stores one batch; resolves once it would survive the process being killed. */
  put(batch: StoredBatch): Promise<OutboxPutResult>;
  /**
   * The batch stored under `batchId`, or undefined if there is none (or it cannot be read). The
   * processor reads back batches it released from memory while the queue was full.
   */
  read(batchId: string): Promise<StoredBatch | undefined>;
  /** Forgets a batch the backend acknowledged (or that can never be delivered). */
  remove(batchId: string): Promise<void>;
  /**
   * Takes over what was left pending by processes or tabs that are gone. Called once when the
   * client starts and again whenever `onAvailable` fires. Never rejects for a bad record.
   */
  claim(): Promise<OutboxClaim>;
  /**
   * Calls `listener` when stored batches may be deliverable again (a browser's `online` event);
   * returns a function that stops the calls. Optional.
   */
  onAvailable?(listener: () => void): () => void;
  /** Releases what the outbox holds (locks, handles). Called once, by `shutdown()`. */
  close?(): Promise<void>;
}

/** The stored form of a batch the processor cut (sealed: its events' encodings attached). */
export function toStoredBatch(batch: EventBatch): StoredBatch {
  const request = preEncodedRequest(batch);
  // Both encode to the same bytes; a sealed batch's events are not encoded again.
  const bytes =
    request === undefined
      ? toBinary(
          IngestEventBatchRequestSchema,
          create(IngestEventBatchRequestSchema, { eventBatch: batch }),
        )
      : toBinary(PreEncodedIngestEventBatchRequestSchema, request);
  return { batchId: batch.batchId, request: bytes };
}

/**
 * The sealed batch a stored one holds: same `batch_id`, same events and event ids, the same
 * bytes on the wire. Throws if the record is not a readable request (callers count it corrupt).
 */
export function fromStoredBatch(stored: StoredBatch): EventBatch {
  const request = fromBinary(PreEncodedIngestEventBatchRequestSchema, stored.request);
  const pre = request.eventBatch;
  if (pre === undefined || pre.batchId !== stored.batchId || pre.events.length === 0) {
    throw new Error(`stored batch ${stored.batchId} does not hold that batch`);
  }
  const batch = create(EventBatchSchema, {
    batchId: pre.batchId,
    timestamp: pre.timestamp,
    events: pre.events.map((bytes) => fromBinary(EventSchema, bytes)),
    metadata: pre.metadata,
    totalCost: pre.totalCost,
    totalTokens: pre.totalTokens,
    totalDurationMs: pre.totalDurationMs,
  });
  return sealBatch(batch, pre.events, stored.request.length);
}
