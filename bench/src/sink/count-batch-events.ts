import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";

/** `IngestEventBatchRequest.event_batch` and `EventBatch.events` (proto/chaukas/spec). */
const EVENT_BATCH_FIELD = 1;
const EVENTS_FIELD = 3;

/**
 * Events in an encoded `IngestEventBatchRequest`, found by walking the two enclosing messages'
 * tags and skipping every field's bytes: the sink knows what arrived without decoding it.
 */
export function countBatchEvents(request: Uint8Array): number {
  let events = 0;
  const outer = new BinaryReader(request);
  while (outer.pos < outer.len) {
    const [field, wireType] = outer.tag();
    if (field !== EVENT_BATCH_FIELD || wireType !== WireType.LengthDelimited) {
      outer.skip(wireType);
      continue;
    }
    const batch = new BinaryReader(outer.bytes());
    while (batch.pos < batch.len) {
      const [batchField, batchWireType] = batch.tag();
      if (batchField === EVENTS_FIELD) events++;
      batch.skip(batchWireType);
    }
  }
  return events;
}
