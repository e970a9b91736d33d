import { randomUUID } from "node:crypto";
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { IngestEventBatchRequestSchema } from "@chaukas/spec/client/v1";
import { createToolCallEvent, newSessionIds } from "../fixtures/tool-call-event.js";
import { reportResult } from "../result-channel.js";
import { DELIVERY, THROUGHPUT_EVENTS, THROUGHPUT_WARMUP_EVENTS } from "./throughput-config.js";

// The ceiling of row 2: `toBinary` of the same IngestEventBatch requests with no I/O at all.
// The events are built before the clock starts (the issue defines this limit as encoding
// alone), so the SDK's end-to-end figure, which includes building events, is held to a
// ceiling it cannot fully reach.
const ids = newSessionIds();

function buildBatches(events: number) {
  const batches = [];
  for (let built = 0; built < events; built += DELIVERY.batchSize) {
    const batch = [];
    for (let j = 0; j < DELIVERY.batchSize; j++) {
      batch.push(createToolCallEvent(ids, built + j));
    }
    batches.push(batch);
  }
  return batches;
}

function encodeBatches(batches: ReturnType<typeof buildBatches>): number {
  let bytes = 0;
  for (const events of batches) {
    const request = create(IngestEventBatchRequestSchema, {
      eventBatch: { batchId: randomUUID(), timestamp: timestampNow(), events },
    });
    bytes += toBinary(IngestEventBatchRequestSchema, request).byteLength;
  }
  return bytes;
}

encodeBatches(buildBatches(THROUGHPUT_WARMUP_EVENTS));
const batches = buildBatches(THROUGHPUT_EVENTS);
const start = process.hrtime.bigint();
const bytes = encodeBatches(batches);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
reportResult({
  eventsPerSecond: THROUGHPUT_EVENTS / seconds,
  events: THROUGHPUT_EVENTS,
  bytesPerEvent: bytes / THROUGHPUT_EVENTS,
});
