// A devserver in a process of its own, so a test can measure that process's memory and
// nothing else. Started by `startServerProcess` (server-child.ts) through tsx.
import { type DevServerOptions, startDevServer } from "../../src/index.js";

/** What the parent may ask, over the IPC channel. */
export type ServerProcessRequest = { type: "memory" } | { type: "close" };

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
    };

const options = JSON.parse(process.env.DEVSERVER_OPTIONS ?? "{}") as DevServerOptions;
const server = await startDevServer({ ...options, port: 0 });
const send = (message: ServerProcessMessage) => process.send?.(message);

process.on("message", (request: ServerProcessRequest) => {
  if (request.type === "memory") {
    // Started with --expose-gc: the heap figure is what is really retained.
    (globalThis as { gc?: () => void }).gc?.();
    send({
      type: "memory",
      rss: process.memoryUsage().rss,
      maxRss: process.resourceUsage().maxRSS * 1024,
      heapUsed: process.memoryUsage().heapUsed,
    });
  } else if (request.type === "close") {
    void server.close().then(() => process.exit(0));
  }
});
send({ type: "ready", url: server.url });
