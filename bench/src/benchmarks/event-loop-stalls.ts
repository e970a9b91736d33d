import { PROCESSOR_DEFAULTS } from "@chaukas/client";
import { startBackendProcess } from "../backend-process.js";
import { sleep, startChaukasAgent } from "../fixtures/chaukas-session.js";
import { measureStalls } from "../probes/stall-window.js";
import { reportResult } from "../result-channel.js";

// Row 5: 10k events queued (a full default queue), then flushed to the local backend in its
// own process. Measured: how long the event loop is held while the SDK batches, encodes
// and sends them — the delay any other timer or request of the agent would see — and, to tell
// what held it, V8's GC pauses in the same window.
const QUEUED_EVENTS = PROCESSOR_DEFAULTS.maxQueueSize;

const backend = await startBackendProcess();
const { chaukas, emitToolCall } = startChaukasAgent(backend.url);

for (let i = 0; i < 5_000; i++) {
  emitToolCall(i);
  if (i % 500 === 0) await sleep(0);
}
await chaukas.flush();
const before = chaukas.stats();

for (let i = 0; i < QUEUED_EVENTS; i++) {
  emitToolCall(i);
}
const { result: flushed, stalls } = await measureStalls(() => chaukas.flush());
const after = chaukas.stats();
await chaukas.shutdown();
await backend.close();

reportResult({
  ...stalls,
  queuedEvents: QUEUED_EVENTS,
  delivered: after.sent - before.sent,
  droppedQueueFull: after.dropped.queueFull - before.dropped.queueFull,
  flushCompleted: flushed.completed,
});
