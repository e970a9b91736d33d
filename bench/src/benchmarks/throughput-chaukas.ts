import { PROCESSOR_DEFAULTS } from "@chaukas/client";
import { startBackendProcess } from "../backend-process.js";
import { sleep, startChaukasAgent } from "../fixtures/chaukas-session.js";
import { reportResult } from "../result-channel.js";
import { THROUGHPUT_EVENTS, THROUGHPUT_WARMUP_EVENTS } from "./throughput-config.js";

// Row 2: the SDK end to end with its defaults (batches of 100, one export in flight) over
// gRPC/HTTP2 into the local backend in its own process. The clock runs from the first emit
// until `flush()` says everything was delivered; building the events is included.
const backend = await startBackendProcess();
const { chaukas, emitToolCall } = startChaukasAgent(backend.url);

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

await send(THROUGHPUT_WARMUP_EVENTS);
const start = process.hrtime.bigint();
await send(THROUGHPUT_EVENTS);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const stats = chaukas.stats();
const stored = await backend.storedEvents();
await chaukas.shutdown();
await backend.close();
reportResult({
  eventsPerSecond: THROUGHPUT_EVENTS / seconds,
  events: THROUGHPUT_EVENTS,
  storedEvents: stored,
  expectedStored: stats.sent,
  dropped: stats.dropped,
  failed: stats.failed,
});
