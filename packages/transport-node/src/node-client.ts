import {
  type ChaukasClient,
  type ChaukasClientOptions,
  ChaukasValidationError,
  type ContextManager,
  createChaukasClient,
} from "@chaukas/client";
import { createAsyncLocalStorageContextManager } from "./async-local-storage-context-manager.js";
import { type ExitFlushOptions, registerExitFlush } from "./exit-flush.js";
import { createNodeTransport, type NodeTransportOptions } from "./node-transport.js";

/**
 * Options of `createChaukasNodeClient`: the client's options (tenant, project, batching,
 * hooks) and the Node transport's (baseUrl, protocol, apiKey, TLS…), side by side.
 */
export interface ChaukasNodeClientOptions
  extends Omit<ChaukasClientOptions, "transport" | "contextManager">,
    Omit<NodeTransportOptions, "baseUrl"> {
  /** The backend, e.g. `http://localhost:50051`. Required unless `exporter` is given (then it only serves queries). */
  readonly baseUrl?: string;
  /** Default: an AsyncLocalStorage context manager (`createAsyncLocalStorageContextManager`). */
  readonly contextManager?: ContextManager;
  /** Flush on `beforeExit`, SIGTERM and SIGINT; `false` opts out. Default: on, see `EXIT_FLUSH_DEFAULTS`. */
  readonly exitFlush?: boolean | ExitFlushOptions;
}

const TRANSPORT_KEYS = [
  "protocol",
  "httpVersion",
  "apiKey",
  "headers",
  "timeoutMs",
  "tls",
  "keepAlive",
  "compression",
  "compressMinBytes",
  "interceptors",
] as const satisfies readonly (keyof NodeTransportOptions)[];

/**
 * The Chaukas client for Node in one call: gRPC/HTTP2 transport, AsyncLocalStorage context
 * and a flush before the process exits.
 *
 * ```ts
 * const chaukas = createChaukasNodeClient({ baseUrl: "http://localhost:50051", tenantId: "acme", projectId: "support-bot" });
 * const session = chaukas.startSession({ agentId: "planner" });
 * await session.run(() => agent.answer(question));
 * ```
 * `shutdown()` of the returned client also removes its exit listeners.
 */
export function createChaukasNodeClient(options: ChaukasNodeClientOptions): ChaukasClient {
  const { baseUrl, exitFlush = true, contextManager, ...rest } = options;
  if (baseUrl === undefined && options.exporter === undefined) {
    throw new ChaukasValidationError(
      "baseUrl",
      "is missing: expected the backend's URL, e.g. http://localhost:50051 (or an exporter)",
    );
  }
  const transportOptions: Partial<Record<string, unknown>> = {};
  const clientOptions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) {
    const target = (TRANSPORT_KEYS as readonly string[]).includes(key)
      ? transportOptions
      : clientOptions;
    target[key] = value;
  }
  const client = createChaukasClient({
    ...(clientOptions as unknown as Omit<ChaukasClientOptions, "transport" | "contextManager">),
    ...(baseUrl !== undefined
      ? { transport: createNodeTransport({ ...transportOptions, baseUrl } as NodeTransportOptions) }
      : {}),
    contextManager: contextManager ?? createAsyncLocalStorageContextManager(),
  });
  if (exitFlush === false) {
    return client;
  }
  const unregister = registerExitFlush(client, exitFlush === true ? {} : exitFlush);
  return {
    ...client,
    async shutdown(shutdownOptions) {
      const result = await client.shutdown(shutdownOptions);
      unregister();
      return result;
    },
  };
}
