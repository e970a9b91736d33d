// Defined in @chaukas/client, beside the batch cap derived from it; exported here too.
// `continueFromRequest` is universal (a Fetch `Request` carries `headers`); exported here too.
export {
  type ContinueFromRequestOptions,
  continueFromRequest,
  KEEPALIVE_BUDGET_BYTES,
} from "@chaukas/client";
// The relay's options and defaults are defined in @chaukas/client/relay; exported here too.
export {
  type ChaukasRelayOptions,
  RELAY_DEFAULTS,
  type RelayAuthorization,
  type RelayErrorStep,
  type RelayGrant,
  type RelayStats,
} from "@chaukas/client/relay";
export { createChaukasRelay, type FetchRelay } from "./fetch-relay.js";
export { WEB_TRANSPORT_DEFAULTS, type WebTransportFactory } from "./fetch-transport.js";
export type { FlushableClient } from "./flushable-client.js";
export {
  createIndexedDbOutbox,
  INDEXEDDB_OUTBOX_DEFAULTS,
  type IndexedDbOutboxOptions,
} from "./indexeddb-outbox.js";
export { registerPageLifecycleFlush } from "./page-lifecycle-flush.js";
export type { PropagationTarget } from "./propagation-targets.js";
export {
  createTracedFetch,
  type TracedFetch,
  type TracedFetchOptions,
  type TracedRequestInit,
} from "./traced-fetch.js";
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
