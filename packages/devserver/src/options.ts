import type { FaultSettings } from "./faults.js";

/** Where the devserver reports what it does. `console` fits; the API default is silent. */
export interface DevServerLogger {
  info(line: string): void;
  error(line: string): void;
}

/** Options of `startDevServer`. */
export interface DevServerOptions {
  /** TCP port; 0 picks a free one (read it back from `server.port`). Default: 0 (the CLI: 50051). */
  port?: number;
  /** Interface to bind. Default: "127.0.0.1" (loopback only). */
  host?: string;
  /** JSON-lines file that receives every accepted event and is reloaded on start. Default: none (memory only). */
  data?: string;
  /** When set, every call must carry `authorization: Bearer <apiKey>`. Default: none (no auth). */
  apiKey?: string;
  /**
   * Origins whose pages may call the server from a browser, besides its own origin and loopback
   * origins (`http://localhost:*`, `http://127.0.0.1:*`, `http://[::1]:*`), which are always
   * allowed: each `scheme://host[:port]`, or `"*"` for every origin (logged as a warning).
   * Requests from any other origin are refused with 403. Default: `[]`.
   */
  corsOrigins?: readonly string[];
  /**
   * Host names requests may be addressed to (`Host`, or `:authority` in HTTP/2), besides the
   * loopback names (`localhost`, `*.localhost`, `127.0.0.0/8`, `[::1]`) and the address the
   * server listens on, which are always allowed: a name, `.example.test` for that domain and its
   * subdomains, or `"*"` for any (logged as a warning). Requests to any other host are refused
   * with 403, which keeps out websites that use DNS rebinding. Default: `[]`.
   */
  allowedHosts?: readonly string[];
  /**
   * Lets the server listen on an interface other than loopback without `apiKey`, where anyone
   * who can reach it may read and write every event (logged as a warning). Without it, such a
   * `host` makes `startDevServer` fail. Default: `false`.
   */
  insecure?: boolean;
  /** Most events one `IngestEventBatch` may carry before `RESOURCE_EXHAUSTED`. Default: 1000. */
  maxBatchEvents?: number;
  /** Most bytes of a binary-encoded ingest request before `RESOURCE_EXHAUSTED`. Default: 4 MiB. */
  maxBatchBytes?: number;
  /**
   * Most bytes of one request message as read from the wire (JSON or binary, after
   * decompression); a longer one is refused with `RESOURCE_EXHAUSTED` while it is being read,
   * before it is decoded. Leaves room for JSON, which is larger than the binary encoding
   * `maxBatchBytes` counts. Default: 16 MiB.
   */
  maxRequestBytes?: number;
  /** Receives one line per ingest call and start-up problems. Default: silent. */
  logger?: DevServerLogger;
  /** Fault switches active from the start (see `server.faults`). Default: none. */
  faults?: Partial<FaultSettings>;
}

/** The defaults of `DevServerOptions`, in one place so docs and code cannot drift. */
export const DEV_SERVER_DEFAULTS = {
  port: 0,
  host: "127.0.0.1",
  maxBatchEvents: 1000,
  maxBatchBytes: 4 * 1024 * 1024,
  maxRequestBytes: 16 * 1024 * 1024,
  corsOrigins: [],
  allowedHosts: [],
  insecure: false,
} as const satisfies Required<
  Pick<
    DevServerOptions,
    | "port"
    | "host"
    | "maxBatchEvents"
    | "maxBatchBytes"
    | "maxRequestBytes"
    | "corsOrigins"
    | "allowedHosts"
    | "insecure"
  >
>;

/** The port the CLI listens on unless `--port` says otherwise. */
export const CLI_DEFAULT_PORT = 50051;

/** A logger that drops everything: the API default, so tests stay quiet. */
export const SILENT_LOGGER: DevServerLogger = {
  info() {},
  error() {},
};
