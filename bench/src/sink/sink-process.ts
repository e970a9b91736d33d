import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** What the sink has received since it started. */
export interface SinkCounts {
  /** Unary calls answered. */
  calls: number;
  /** Calls whose message came gzip-compressed. */
  compressedCalls: number;
  /** Events in the `IngestEventBatchRequest`s received. */
  events: number;
  /** Bytes of the requests' bodies (gRPC frames, compressed where they were). */
  wireBytes: number;
  /** Bytes of the requests' messages before compression: the encoded requests. */
  messageBytes: number;
}

/** The counting sink, running in a process of its own. */
export interface SinkProcess {
  readonly url: string;
  counts(): Promise<SinkCounts>;
  close(): Promise<void>;
}

type SinkMessage = { type: "ready"; url: string } | { type: "counts"; counts: SinkCounts };

const SERVER_SCRIPT = fileURLToPath(new URL("./sink-server.ts", import.meta.url));

/**
 * Starts the sink backend (`sink-server.ts`) in a child process: HTTP/2 gRPC that only counts
 * frames, bytes and events, so a throughput run measures the client and not the backend.
 */
export function startSinkProcess(): Promise<SinkProcess> {
  // The child inherits the environment: `BENCH_SINK_DELAY_MS` reaches it (see sink-server.ts).
  const child = spawn(process.execPath, [...process.execArgv, SERVER_SCRIPT], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const next = <T extends SinkMessage["type"]>(type: T) =>
    new Promise<Extract<SinkMessage, { type: T }>>((resolve) => {
      const onMessage = (message: SinkMessage) => {
        if (message.type === type) {
          child.off("message", onMessage);
          resolve(message as Extract<SinkMessage, { type: T }>);
        }
      };
      child.on("message", onMessage);
    });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`sink exited with ${code} before ready`)));
    void next("ready").then(({ url }) =>
      resolve({
        url,
        async counts() {
          const reply = next("counts");
          child.send({ type: "counts" });
          return (await reply).counts;
        },
        close() {
          return new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once("exit", () => done());
            child.send({ type: "close" });
          });
        },
      }),
    );
  });
}
