import { randomUUID } from "node:crypto";
import { newSessionIds, plainToolCallEvent } from "../fixtures/tool-call-event.js";
import { reportResult } from "../result-channel.js";
import { sendInCalls } from "./calls-in-flight.js";
import { createHandWrittenIngestClient, handWrittenRequestBytes } from "./grpc-js-client.js";
import { startThroughputBackend } from "./throughput-backend.js";
import { DELIVERY } from "./throughput-config.js";
import { measureThroughput } from "./throughput-measure.js";

// Baseline of row 2: a hand-written @grpc/grpc-js client sending the same events in
// IngestEventBatch calls of the SDK's batch size, with as many calls in flight as the SDK's
// default and the same compression, into the same backend in its own process. It builds the
// next batch while calls are in flight, as a competent hand-written client would.
const backend = await startThroughputBackend();
const ids = newSessionIds();

function nextRequest(first: number, events: number) {
  const batch = [];
  for (let j = 0; j < events; j++) batch.push(plainToolCallEvent(ids, first + j));
  const now = Date.now();
  return {
    eventBatch: {
      batchId: randomUUID(),
      timestamp: { seconds: Math.floor(now / 1000), nanos: (now % 1000) * 1e6 },
      events: batch,
    },
  };
}

// Compressed like the SDK: gzip when its requests reach `compressMinBytes` (every request of a
// run has about the same size, and grpc-js compresses all of a channel's calls or none).
const typicalRequestBytes = handWrittenRequestBytes(nextRequest(0, DELIVERY.batchSize));
const client = createHandWrittenIngestClient(backend.url, {
  gzip: DELIVERY.compression === "gzip" && typicalRequestBytes >= DELIVERY.compressMinBytes,
});

const send = (events: number) =>
  sendInCalls(events, DELIVERY, nextRequest, (request) => client.ingestEventBatch(request));

const result = await measureThroughput(backend, send);
client.close();
await backend.close();
reportResult({ ...result, typicalRequestBytes });
