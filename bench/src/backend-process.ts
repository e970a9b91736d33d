import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The local backend, running in a process of its own. */
export interface BackendProcess {
  readonly url: string;
  /** Events the backend holds now (it de-duplicates by event id, so this counts unique ids). */
  storedEvents(): Promise<number>;
  /** Takes the backend down (connections refused) or back up; resolves once it is so. */
  setDown(down: boolean): Promise<void>;
  close(): Promise<void>;
}

/** What the backend child says over IPC. */
export type BackendMessage =
  | { type: "ready"; url: string }
  | { type: "stored"; count: number }
  | { type: "settled" }
  | { type: "failed"; message: string };

const SERVER_SCRIPT = fileURLToPath(new URL("./backend-server.ts", import.meta.url));

/**
 * Starts `@chaukas/devserver` (in-memory storage) in a child process. The backend gets its
 * own thread so its decoding and storing do not show up as the client's cost or stalls: on
 * two cores the client and the backend each have one, as they would in production.
 */
export function startBackendProcess(options: { port?: number } = {}): Promise<BackendProcess> {
  // BENCH_BACKEND_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the backend.
  const flags = process.env.BENCH_BACKEND_NODE_FLAGS?.split(" ").filter((f) => f !== "") ?? [];
  const child = spawn(process.execPath, [...process.execArgv, ...flags, SERVER_SCRIPT], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
    env: { ...process.env, BENCH_BACKEND_PORT: String(options.port ?? 0) },
  });
  return new Promise((resolve, reject) => {
    const onMessage = (message: BackendMessage) => {
      if (message.type === "ready") {
        child.off("message", onMessage);
        resolve(controlBackend(child, message.url));
      } else if (message.type === "failed") {
        reject(new Error(`backend failed to start: ${message.message}`));
      }
    };
    child.on("message", onMessage);
    child.once("exit", (code) => reject(new Error(`backend exited with ${code} before ready`)));
  });
}

function controlBackend(child: ChildProcess, url: string): BackendProcess {
  /** Sends one request and waits for the reply of the given type. */
  const ask = <T extends BackendMessage["type"]>(
    request: Record<string, unknown>,
    reply: T,
  ): Promise<Extract<BackendMessage, { type: T }>> =>
    new Promise((resolve) => {
      const onMessage = (message: BackendMessage) => {
        if (message.type === reply) {
          child.off("message", onMessage);
          resolve(message as Extract<BackendMessage, { type: T }>);
        }
      };
      child.on("message", onMessage);
      child.send(request);
    });
  return {
    url,
    async storedEvents() {
      return (await ask({ type: "count" }, "stored")).count;
    },
    async setDown(down) {
      await ask({ type: "down", down }, "settled");
    },
    close() {
      return new Promise((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once("exit", () => resolve());
        child.send({ type: "close" });
      });
    },
  };
}
