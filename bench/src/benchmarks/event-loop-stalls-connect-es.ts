import { PROCESSOR_DEFAULTS } from "@chaukas/client";
import type { Event } from "@chaukas/spec/common/v1";
import { NODE_TRANSPORT_DEFAULTS } from "@chaukas/transport-node";
import { startBackendProcess } from "../backend-process.js";
import { literalToolCallEvent, newSessionIds } from "../fixtures/tool-call-event.js";
import { measureStalls } from "../probes/stall-window.js";
import { reportResult } from "../result-channel.js";
import { batchRequest, createBareConnectClient } from "./connect-es-client.js";

// A reference for row 5, not a target: the same 10k events held by the SDK's stack with no SDK
// around it (see `createBareConnectClient`), built as object literals as the SDK's builders make
// them, then sent in calls of the SDK's batch size, one at a time, to the local backend in its
// own process.
// Measured as row 5 measures the SDK: the event loop's delay and V8's GC pauses while they go.
const QUEUED_EVENTS = PROCESSOR_DEFAULTS.maxQueueSize;
const BATCH_SIZE = PROCESSOR_DEFAULTS.maxBatchSize;

const backend = await startBackendProcess();
const client = createBareConnectClient(backend.url, {
  gzip: NODE_TRANSPORT_DEFAULTS.compression === "gzip",
  compressMinBytes: NODE_TRANSPORT_DEFAULTS.compressMinBytes,
});
const ids = newSessionIds();

async function sendAll(events: Event[]): Promise<void> {
  for (let first = 0; first < events.length; first += BATCH_SIZE) {
    await client.ingestEventBatch(batchRequest(events.slice(first, first + BATCH_SIZE)));
  }
}

// The same warm-up as row 5: 5k events sent first.
const warmUp: Event[] = [];
for (let i = 0; i < 5_000; i++) warmUp.push(literalToolCallEvent(ids, i));
await sendAll(warmUp);

const queued: Event[] = [];
for (let i = 0; i < QUEUED_EVENTS; i++) queued.push(literalToolCallEvent(ids, i));
const { stalls } = await measureStalls(() => sendAll(queued));
await backend.close();

reportResult({
  ...stalls,
  queuedEvents: QUEUED_EVENTS,
  delivered: queued.length,
});
