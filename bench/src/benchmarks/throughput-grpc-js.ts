import { randomUUID } from "node:crypto";
import { startBackendProcess } from "../backend-process.js";
import { newSessionIds, plainToolCallEvent } from "../fixtures/tool-call-event.js";
import { reportResult } from "../result-channel.js";
import { createHandWrittenIngestClient } from "./grpc-js-client.js";
import {
  THROUGHPUT_BATCH_EVENTS,
  THROUGHPUT_EVENTS,
  THROUGHPUT_WARMUP_EVENTS,
} from "./throughput-config.js";

// Baseline (a) of row 2: a hand-written @grpc/grpc-js client sending the same events in
// IngestEventBatch calls of the same size, one call in flight (the SDK's default), into the
// same local backend running in its own process.
const backend = await startBackendProcess();
const client = createHandWrittenIngestClient(backend.url);
const ids = newSessionIds();

async function send(events: number): Promise<void> {
  for (let sent = 0; sent < events; sent += THROUGHPUT_BATCH_EVENTS) {
    const batch = [];
    for (let j = 0; j < THROUGHPUT_BATCH_EVENTS; j++) {
      batch.push(plainToolCallEvent(ids, sent + j));
    }
    const now = Date.now();
    await client.ingestEventBatch({
      eventBatch: {
        batchId: randomUUID(),
        timestamp: { seconds: Math.floor(now / 1000), nanos: (now % 1000) * 1e6 },
        events: batch,
      },
    });
  }
}

await send(THROUGHPUT_WARMUP_EVENTS);
const start = process.hrtime.bigint();
await send(THROUGHPUT_EVENTS);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const stored = await backend.storedEvents();
client.close();
await backend.close();
reportResult({
  eventsPerSecond: THROUGHPUT_EVENTS / seconds,
  events: THROUGHPUT_EVENTS,
  storedEvents: stored,
  expectedStored: THROUGHPUT_EVENTS + THROUGHPUT_WARMUP_EVENTS,
});
