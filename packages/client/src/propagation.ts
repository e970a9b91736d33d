/**
 * `@chaukas/client/propagation`: trace context across processes. `inject` writes a span into an
 * outgoing request's headers (or an MCP `_meta` object), `extract` reads a caller's back for
 * `chaukas.continueSession`. A subpath of its own, as the query filter and the integrity chain
 * are, so that a page's bundle does not carry the W3C baggage and carrier code through the
 * client (about 0.6 KB gz: transport-web's README, "Bundle size").
 *
 * @module propagation
 */
export type { Carrier, HeadersCarrier, RecordCarrier } from "./propagation/carrier.js";
export { extract, inject } from "./propagation/propagation.js";
export type { RemoteContext } from "./propagation/remote-context.js";
