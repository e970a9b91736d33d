// A batch as an outbox stores it: the binary request the exporter sends, and back.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { IngestEventBatchRequestSchema } from "@chaukas/spec/client/v1";
import { type EventBatch, EventBatchSchema, EventSchema } from "@chaukas/spec/common/v1";
import { PreEncodedIngestEventBatchRequestSchema } from "../gen/chaukas/client/v1/pre_encoded_batch_pb.js";
import { freezeSealedBatch, preEncodedRequest, sealBatch } from "../wire/encoded-batch.js";

/**
 * One batch kept in an outbox: its `batch_id` and the binary `IngestEventBatchRequest` that
 * carries it (the bytes the Connect exporter sends, readable with the spec's schema).
 */
export interface StoredBatch {
  readonly batchId: string;
  readonly request: Uint8Array;
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
 * bytes on the wire. Frozen, as an exporter gets it: its events' encodings are what gets sent.
 * Throws if the record is not a readable request (callers count it corrupt).
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
  return freezeSealedBatch(sealBatch(batch, pre.events, stored.request.length));
}
