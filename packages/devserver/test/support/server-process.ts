// A devserver in a process of its own, so a test can measure that process's memory and
// nothing else. Started by `startServerProcess` (server-child.ts) through tsx.
import { type DevServerOptions, startDevServer } from "../../src/index.js";

/** What the parent may ask, over the IPC channel. */
export type ServerProcessRequest = { type: "memory" } | { type: "close" };

/** How often the process samples its own memory for the peaks it reports. */
const SAMPLE_INTERVAL_MS = 10;

/** What this process reports back. */
export type ServerProcessMessage =
  | { type: "ready"; url: string }
  | {
      type: "memory";
      /** Resident set size now, bytes. */
      rss: number;
      /** Highest resident set size since the process started, bytes. */
      maxRss: number;
      /** V8 heap in use after a full garbage collection, bytes. */
      heapUsed: number;
      /** Highest V8 heap size (used or not) sampled since the last report, bytes. */
      peakHeapTotal: number;
      /** Highest memory held by ArrayBuffers (request bodies, zlib output) sampled since the last report, bytes. */
      peakArrayBuffers: number;
    };

const options = JSON.parse(process.env.DEVSERVER_OPTIONS ?? "{}") as DevServerOptions;
const server = await startDevServer({ ...options, port: 0 });
const send = (message: ServerProcessMessage) => process.send?.(message);

let peakHeapTotal = 0;
let peakArrayBuffers = 0;
setInterval(() => {
  const { heapTotal, arrayBuffers } = process.memoryUsage();
  peakHeapTotal = Math.max(peakHeapTotal, heapTotal);
  peakArrayBuffers = Math.max(peakArrayBuffers, arrayBuffers);
}, SAMPLE_INTERVAL_MS).unref();

process.on("message", (request: ServerProcessRequest) => {
  if (request.type === "memory") {
    // Started with --expose-gc: the heap figure is what is really retained.
    (globalThis as { gc?: () => void }).gc?.();
    send({
      type: "memory",
      rss: process.memoryUsage().rss,
      maxRss: process.resourceUsage().maxRSS * 1024,
      heapUsed: process.memoryUsage().heapUsed,
      peakHeapTotal,
      peakArrayBuffers,
    });
    peakHeapTotal = 0;
    peakArrayBuffers = 0;
  } else if (request.type === "close") {
    void server.close().then(() => process.exit(0));
  }
});
send({ type: "ready", url: server.url });
