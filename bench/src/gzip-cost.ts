import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { IngestEventBatchRequestSchema } from "@chaukas/spec/client/v1";
import { createToolCallEvent, newSessionIds } from "./fixtures/tool-call-event.js";
import { median } from "./stats.js";

// What gzip costs and saves per request of the typical event, by request size: the measurement
// behind `compressMinBytes`. gzip pays when the time its saved bytes take on the link exceeds the
// CPU it costs, so each size gets the link speed below which compressing is the faster choice.
// Single process, no I/O: the figures are stable enough to read on a shared machine.
//   pnpm --filter @chaukas/bench run gzip-cost
const ids = newSessionIds();
const REPEATS = 200;

function request(events: number): Uint8Array {
  const batch = Array.from({ length: events }, (_, i) => createToolCallEvent(ids, i));
  return toBinary(
    IngestEventBatchRequestSchema,
    create(IngestEventBatchRequestSchema, {
      eventBatch: { batchId: randomUUID(), timestamp: timestampNow(), events: batch },
    }),
  );
}

process.stdout.write(
  "events  request B  gzip B  saved  CPU µs/request (median)  gzip pays below (Mbit/s)\n",
);
for (const events of [1, 2, 3, 5, 10, 30, 100, 300]) {
  const bytes = request(events);
  for (let i = 0; i < 20; i++) gzipSync(bytes); // warm-up
  const cpuMicros: number[] = [];
  let compressed = 0;
  for (let i = 0; i < REPEATS; i++) {
    const before = process.cpuUsage();
    compressed = gzipSync(bytes).length;
    const used = process.cpuUsage(before);
    cpuMicros.push(used.user + used.system);
  }
  const cpu = Math.max(median(cpuMicros), 1);
  const saved = bytes.length - compressed;
  // Saved bits ÷ CPU µs = the link's bits per µs (= Mbit/s) at which both take as long.
  const breakEvenMbits = saved > 0 ? (saved * 8) / cpu : 0;
  process.stdout.write(
    `${String(events).padStart(6)}  ${String(bytes.length).padStart(9)}  ${String(compressed).padStart(6)}  ${`${((saved / bytes.length) * 100).toFixed(0)}%`.padStart(5)}  ${cpu.toFixed(0).padStart(23)}  ${breakEvenMbits.toFixed(0).padStart(24)}\n`,
  );
}
