import { PROCESSOR_DEFAULTS } from "@chaukas/client";
import { NODE_TRANSPORT_DEFAULTS } from "@chaukas/transport-node";
import { startBackendProcess } from "../backend-process.js";
import { createToolCallEvent, newSessionIds } from "../fixtures/tool-call-event.js";
import { startEventLoopMonitor } from "../probes/event-loop-monitor.js";
import { startGcPauseRecorder } from "../probes/gc-pauses.js";
import { reportResult } from "../result-channel.js";
import { batchRequest, createBareConnectClient } from "./connect-es-client.js";

// A reference for row 5, not a target: the same 10k events held by the SDK's stack with no SDK
// around it (see `createBareConnectClient`), built by protobuf-es `create` and then sent in
// calls of the SDK's batch size, one at a time, to the local backend in its own process.
// Measured as row 5 measures the SDK: the event loop's delay and V8's GC pauses while they go.
const QUEUED_EVENTS = PROCESSOR_DEFAULTS.maxQueueSize;
const BATCH_SIZE = PROCESSOR_DEFAULTS.maxBatchSize;

const backend = await startBackendProcess();
const client = createBareConnectClient(backend.url, {
  gzip: NODE_TRANSPORT_DEFAULTS.compression === "gzip",
  compressMinBytes: NODE_TRANSPORT_DEFAULTS.compressMinBytes,
});
const ids = newSessionIds();

async function sendAll(events: ReturnType<typeof createToolCallEvent>[]): Promise<void> {
  for (let first = 0; first < events.length; first += BATCH_SIZE) {
    await client.ingestEventBatch(batchRequest(events.slice(first, first + BATCH_SIZE)));
  }
}

// The same warm-up as row 5: 5k events sent first.
const warmUp = [];
for (let i = 0; i < 5_000; i++) warmUp.push(createToolCallEvent(ids, i));
await sendAll(warmUp);

const queued = [];
for (let i = 0; i < QUEUED_EVENTS; i++) queued.push(createToolCallEvent(ids, i));
const gcPauses = startGcPauseRecorder();
const monitor = startEventLoopMonitor();
await sendAll(queued);
const delay = monitor.stop();
const gc = await gcPauses.stop();
await backend.close();

reportResult({
  ...delay,
  longestGcPauseMs: gc.longestMs,
  longestGcPauseKind: gc.longestKind,
  gcPauseTotalMs: gc.totalMs,
  queuedEvents: QUEUED_EVENTS,
  delivered: queued.length,
});
