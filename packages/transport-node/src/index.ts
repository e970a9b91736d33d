// Universal code, defined in @chaukas/client; exported here too for Node users.
// `continueFromRequest` takes Node's `IncomingMessage` (Express, Fastify's `request.raw`) and a
// Fetch `Request` (Hono, Next.js route handlers) alike: both carry `headers`.
export { type ContinueFromRequestOptions, continueFromRequest } from "@chaukas/client";
// The relay's options and defaults are defined in @chaukas/client/relay; exported here too.
export {
  type ChaukasRelayOptions,
  RELAY_DEFAULTS,
  type RelayAuthorization,
  type RelayErrorStep,
  type RelayGrant,
  type RelayStats,
} from "@chaukas/client/relay";
export { createAsyncLocalStorageContextManager } from "./async-local-storage-context-manager.js";
export { createChaukasClientFromEnv } from "./client-from-env.js";
export { type ConsoleExporterOptions, createConsoleExporter } from "./console-exporter.js";
export {
  CHAUKAS_ENV_VARIABLES,
  type ChaukasEnvConfig,
  type ChaukasOutputMode,
  readChaukasEnv,
} from "./env-config.js";
export {
  EXIT_FLUSH_DEFAULTS,
  type ExitFlushOptions,
  registerExitFlush,
  type ShutdownTarget,
} from "./exit-flush.js";
export { createFileExporter, type FileExporterOptions } from "./file-exporter.js";
export { createFileOutbox, FILE_OUTBOX_DEFAULTS, type FileOutboxOptions } from "./file-outbox.js";
export { type ChaukasNodeClientOptions, createChaukasNodeClient } from "./node-client.js";
export {
  createChaukasRelay,
  type NodeRelay,
  type NodeRelayRequest,
  type NodeRelayResponse,
} from "./node-relay.js";
export {
  createNodeTransport,
  NODE_TRANSPORT_DEFAULTS,
  type NodeTransportKeepAliveOptions,
  type NodeTransportOptions,
  type NodeTransportProtocol,
  type NodeTransportTlsOptions,
} from "./node-transport.js";
