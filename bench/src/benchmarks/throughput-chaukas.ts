import { PROCESSOR_DEFAULTS } from "@chaukas/client";
import { sleep, startChaukasAgent } from "../fixtures/chaukas-session.js";
import { reportResult } from "../result-channel.js";
import { startThroughputBackend } from "./throughput-backend.js";
import { DELIVERY } from "./throughput-config.js";
import { measureThroughput } from "./throughput-measure.js";

// Row 2: the SDK end to end with its defaults over gRPC/HTTP2 (`@chaukas/transport-node`) into
// a backend in its own process (the counting sink, or the local backend). The clock runs from
// the first emit until `flush()` says everything was delivered; building the events is included.
const backend = await startThroughputBackend();
const { chaukas, emitToolCall, setupEvents } = startChaukasAgent(
  backend.url,
  { maxBatchSize: DELIVERY.batchSize, maxConcurrentExports: DELIVERY.callsInFlight },
  { compression: DELIVERY.compression, compressMinBytes: DELIVERY.compressMinBytes },
);

/** Emits like a busy agent that never overruns the queue: it waits while the queue is half full. */
async function send(events: number): Promise<void> {
  for (let i = 0; i < events; i++) {
    emitToolCall(i);
    if (i % 500 === 499) {
      while (chaukas.stats().queued > PROCESSOR_DEFAULTS.maxQueueSize / 2) {
        await sleep(1);
      }
    }
  }
  await chaukas.flush();
}

const result = await measureThroughput(backend, send, setupEvents);
const stats = chaukas.stats();
await chaukas.shutdown();
await backend.close();
reportResult({ ...result, sdkStats: stats });
