export { BATCH_TOO_LARGE_REASON, ERROR_REASON_METADATA_KEY } from "@chaukas/client";
export type { CallCounts, CallOutcome } from "./call-counter.js";
export { type DevServer, startDevServer } from "./dev-server.js";
export type { DevServerStore } from "./event-store.js";
export {
  type DevServerFaults,
  FAULT_METADATA_KEY,
  type FaultSettings,
  type InjectedFailure,
  NO_FAULTS,
  RETRY_PUSHBACK_METADATA_KEY,
} from "./faults.js";
export { INGEST_COUNT_METADATA_KEYS } from "./ingest-limits.js";
export {
  CLI_DEFAULT_PORT,
  DEV_SERVER_DEFAULTS,
  type DevServerLogger,
  type DevServerOptions,
} from "./options.js";
export { QUERY_PAGE_SIZE } from "./query-events.js";
export { formatSessionTree } from "./session-tree.js";
