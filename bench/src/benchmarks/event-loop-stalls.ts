import { PROCESSOR_DEFAULTS } from "@chaukas/client";
import { startBackendProcess } from "../backend-process.js";
import { sleep, startChaukasAgent } from "../fixtures/chaukas-session.js";
import { startEventLoopMonitor } from "../probes/event-loop-monitor.js";
import { startGcPauseRecorder } from "../probes/gc-pauses.js";
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
const gcPauses = startGcPauseRecorder();
const monitor = startEventLoopMonitor();
const flushed = await chaukas.flush();
const delay = monitor.stop();
const gc = await gcPauses.stop();
const after = chaukas.stats();
await chaukas.shutdown();
await backend.close();

reportResult({
  ...delay,
  longestGcPauseMs: gc.longestMs,
  longestGcPauseKind: gc.longestKind,
  gcPauseTotalMs: gc.totalMs,
  queuedEvents: QUEUED_EVENTS,
  delivered: after.sent - before.sent,
  droppedQueueFull: after.dropped.queueFull - before.dropped.queueFull,
  flushCompleted: flushed.completed,
});
