import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROCESSOR_DEFAULTS } from "@chaukas/client";
import { createFileOutbox, FILE_OUTBOX_DEFAULTS } from "@chaukas/transport-node";
import { startBackendProcess } from "../backend-process.js";
import { DISCARDING_EXPORTER, sleep, startChaukasAgent } from "../fixtures/chaukas-session.js";
import { startRssSampler } from "../probes/rss-sampler.js";
import { reportResult } from "../result-channel.js";

// Row 4 with the file outbox (issue 15): the backend is down (a closed port) while the agent
// emits 1M TOOL_CALL_START events. With an outbox, batches leave memory for the disk as they
// are cut, so the queue bound is not what fills: the outbox's maxBytes (64 MiB) is, and the
// oldest stored batches are dropped (dropped.outboxFull) and reported. Measured: peak RSS growth,
// the bytes on disk at the end of the outage, and the accounting after the backend comes back.
const OUTAGE_EVENTS = 1_000_000;
const WARMUP_EVENTS = 20_000;
const CHUNK_EVENTS = 1_000;

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

function bytesUnder(directory: string): number {
  let bytes = 0;
  for (const name of readdirSync(directory, { recursive: true, encoding: "utf8" })) {
    const stat = statSync(join(directory, name));
    if (stat.isFile()) bytes += stat.size;
  }
  return bytes;
}

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --expose-gc");

const warm = startChaukasAgent(DISCARDING_EXPORTER);
for (let i = 0; i < WARMUP_EVENTS; i++) {
  warm.emitToolCall(i);
  if (i % CHUNK_EVENTS === 0) await sleep(0);
}
await warm.chaukas.shutdown();

const directory = mkdtempSync(join(tmpdir(), "chaukas-bench-outage-"));
const port = await reserveClosedPort();
const { chaukas, emitToolCall } = startChaukasAgent(`http://127.0.0.1:${port}`, {
  outbox: createFileOutbox({ directory }),
});
gc();
const sampler = startRssSampler();
const started = process.hrtime.bigint();
for (let i = 0; i < OUTAGE_EVENTS; i += CHUNK_EVENTS) {
  for (let j = 0; j < CHUNK_EVENTS; j++) emitToolCall(i + j);
  sampler.sample();
  await new Promise((resolve) => setImmediate(resolve));
}
const outageMs = Number(process.hrtime.bigint() - started) / 1e6;
const { baselineBytes, peakBytes } = sampler.stop();
const duringOutage = chaukas.stats();
const diskBytesAtEnd = bytesUnder(directory);

const backend = await startBackendProcess({ port });
const flushed = await chaukas.flush({ timeoutMs: 170_000 });
const stats = chaukas.stats();
const stored = await backend.storedEvents();
await chaukas.shutdown();
await backend.close();
const leftOnDisk = bytesUnder(directory);
rmSync(directory, { recursive: true, force: true });

const dropped = Object.values(stats.dropped).reduce((a, b) => a + b, 0);
const accountingExact =
  flushed.completed &&
  stats.queued === 0 &&
  stats.inFlight === 0 &&
  stats.emitted + stats.recovered + stats.lossReports === stats.sent + dropped + stats.failed &&
  stored === stats.sent;
reportResult({
  maxQueueSize: PROCESSOR_DEFAULTS.maxQueueSize,
  outboxMaxBytes: FILE_OUTBOX_DEFAULTS.maxBytes,
  peakRssGrowthBytes: peakBytes - baselineBytes,
  outageMs,
  heldAtEndOfOutage: duringOutage.queued + duringOutage.inFlight,
  diskBytesAtEnd,
  leftOnDisk,
  emitted: stats.emitted,
  lossReports: stats.lossReports,
  sent: stats.sent,
  dropped,
  droppedByReason: stats.dropped,
  failed: stats.failed,
  storedEvents: stored,
  flushCompleted: flushed.completed,
  accountingExact,
});
