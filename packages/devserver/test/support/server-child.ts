import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { DevServerOptions } from "../../src/index.js";
import type { ServerProcessMessage, ServerProcessRequest } from "./server-process.js";

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
const TSX_LOADER = pathToFileURL(`${repoRoot}node_modules/tsx/dist/loader.mjs`).href;

type Memory = Extract<ServerProcessMessage, { type: "memory" }>;

/** A devserver running in a child process (on the workspace sources, through tsx). */
export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Whether the process is still running. */
  alive(): boolean;
  /** Its memory now (after a full GC), its peak resident set size so far, and the peaks sampled since the last call. */
  memory(): Promise<Omit<Memory, "type">>;
  close(): Promise<void>;
}

/**
 * Starts the process. `heapLimitMiB` caps V8's old space (`--max-old-space-size`): a server
 * that needed more would crash, so surviving a load under the cap bounds its memory.
 */
export async function startServerProcess(
  options: DevServerOptions = {},
  limits: { heapLimitMiB?: number } = {},
): Promise<ServerProcess> {
  const heapLimit =
    limits.heapLimitMiB === undefined ? [] : [`--max-old-space-size=${limits.heapLimitMiB}`];
  const child = fork(fileURLToPath(new URL("./server-process.ts", import.meta.url)), [], {
    execArgv: ["--import", TSX_LOADER, "--expose-gc", ...heapLimit],
    env: {
      ...process.env,
      TSX_TSCONFIG_PATH: `${repoRoot}tsconfig.json`,
      DEVSERVER_OPTIONS: JSON.stringify(options),
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const next = async <T extends ServerProcessMessage["type"]>(type: T) => {
    for (;;) {
      const [message] = (await once(child, "message")) as [ServerProcessMessage];
      if (message.type === type) return message as Extract<ServerProcessMessage, { type: T }>;
    }
  };
  const exited = once(child, "exit");
  const ready = await Promise.race([
    next("ready"),
    exited.then(([code]) => {
      throw new Error(`the devserver process exited with ${code} before it was ready`);
    }),
  ]);
  const ask = (request: ServerProcessRequest) => child.send(request);
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    url: ready.url,
    child,
    alive,
    async memory() {
      const reply = next("memory");
      ask({ type: "memory" });
      const { type: _, ...memory } = await reply;
      return memory;
    },
    async close() {
      if (!alive()) return;
      ask({ type: "close" });
      await exited;
    },
  };
}
