import { type AddressInfo, createServer } from "node:net";
import { PROCESSOR_DEFAULTS } from "@chaukas/client";
import { startBackendProcess } from "../backend-process.js";
import { DISCARDING_EXPORTER, sleep, startChaukasAgent } from "../fixtures/chaukas-session.js";
import { startRssSampler } from "../probes/rss-sampler.js";
import { reportResult } from "../result-channel.js";

/** A loopback port nothing listens on (bound, then released), for the backend to come back on. */
function reserveClosedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// Row 4: the backend goes down, the agent keeps emitting 1M events; the process must stay
// within what its full queue holds (plus 5 MB), and after the backend comes back every
// event must be accounted for: emitted = sent + dropped (+ failed, if retries ran out).
const OUTAGE_EVENTS = 1_000_000;
const WARMUP_EVENTS = 20_000;
const CHUNK_EVENTS = 1_000;
const maxQueueSize = PROCESSOR_DEFAULTS.maxQueueSize;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  throw new Error("run with --expose-gc");
}

// Warm up the emit path on a throw-away client, so JIT code is not counted as outage growth.
const warm = startChaukasAgent(DISCARDING_EXPORTER);
for (let i = 0; i < WARMUP_EVENTS; i++) {
  warm.emitToolCall(i);
  if (i % CHUNK_EVENTS === 0) await sleep(0);
}
await warm.chaukas.shutdown();

// The backend is down as a closed port: connections are refused. (Taking a running devserver
// down with `faults.down` makes connect-node emit an unhandled "error" — GOAWAY without open
// streams — that kills the agent process; reported to the transport owners.)
const port = await reserveClosedPort();
const { chaukas, emitToolCall } = startChaukasAgent(`http://127.0.0.1:${port}`, { maxQueueSize });
gc();
const heapBeforeOutage = process.memoryUsage().heapUsed;
const sampler = startRssSampler();
for (let i = 0; i < OUTAGE_EVENTS; i += CHUNK_EVENTS) {
  for (let j = 0; j < CHUNK_EVENTS; j++) {
    emitToolCall(i + j);
  }
  sampler.sample();
  // The agent's own awaits: timers (retries, the flush interval) get to run.
  await new Promise((resolve) => setImmediate(resolve));
}
const { baselineBytes, peakBytes } = sampler.stop();
const duringOutage = chaukas.stats();
// What the full queue costs in memory: what the client holds at the end of the outage (its
// `maxQueueSize` events as its builders made them, and its loss records), on the heap after a
// full GC. Garbage, fragmentation and V8's own growth are what the allowance is for.
gc();
const queueBoundBytes = process.memoryUsage().heapUsed - heapBeforeOutage;

const backend = await startBackendProcess({ port });
const flushed = await chaukas.flush({ timeoutMs: 90_000 });
const stats = chaukas.stats();
const stored = await backend.storedEvents();
await chaukas.shutdown();
await backend.close();

const dropped = Object.values(stats.dropped).reduce((a, b) => a + b, 0);
const accountingExact =
  flushed.completed &&
  stats.queued === 0 &&
  stats.inFlight === 0 &&
  stats.emitted + stats.lossReports === stats.sent + dropped + stats.failed &&
  stored === stats.sent;
reportResult({
  maxQueueSize,
  queueBoundBytes,
  peakRssGrowthBytes: peakBytes - baselineBytes,
  baselineRssBytes: baselineBytes,
  peakRssBytes: peakBytes,
  queuedAtEndOfOutage: duringOutage.queued + duringOutage.inFlight,
  emitted: stats.emitted,
  lossReports: stats.lossReports,
  sent: stats.sent,
  dropped,
  droppedByReason: stats.dropped,
  failed: stats.failed,
  retried: stats.retried,
  storedEvents: stored,
  flushCompleted: flushed.completed,
  accountingExact,
});
