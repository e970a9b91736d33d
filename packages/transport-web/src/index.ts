// Defined in @chaukas/client, beside the batch cap derived from it; exported here too.
export { KEEPALIVE_BUDGET_BYTES } from "@chaukas/client";
export { WEB_TRANSPORT_DEFAULTS, type WebTransportFactory } from "./fetch-transport.js";
export type { FlushableClient } from "./flushable-client.js";
export {
  createIndexedDbOutbox,
  INDEXEDDB_OUTBOX_DEFAULTS,
  type IndexedDbOutboxOptions,
} from "./indexeddb-outbox.js";
export { registerPageLifecycleFlush } from "./page-lifecycle-flush.js";
export { flushOnWaitUntil, type WaitUntilContext, withChaukas } from "./wait-until.js";
export {
  type ChaukasWebClientOptions,
  createChaukasWebClient,
  WEB_CLIENT_DEFAULTS,
} from "./web-client.js";
export {
  createConnectWebTransport,
  createWebTransport,
  type WebProtocol,
  type WebTransportOptions,
} from "./web-transport.js";
