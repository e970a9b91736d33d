/**
 * `@chaukas/client/relay`: the transport-agnostic core of `createChaukasRelay`, the request
 * handler an app mounts on its own origin so browsers send events without holding a key. It
 * reads what the browser client sends (Connect, binary or JSON, and gRPC-web; the REST batch of
 * `openapi-public.yaml`), asks the app's `authorize` who the caller is, sets tenant and project
 * on every event, rejects events of sessions the caller does not own, limits each caller, and
 * forwards the rest through the server's own client. `@chaukas/transport-node` adapts it to
 * Node's `IncomingMessage`/`ServerResponse`, `@chaukas/transport-web` to Fetch
 * `Request`/`Response`.
 *
 * @module relay
 */
export { createRelayHandler, type RelayClient, type RelayHandler } from "./relay-handler.js";
export {
  type ChaukasRelayOptions,
  RELAY_DEFAULTS,
  type RelayAuthorization,
  type RelayErrorStep,
  type RelayGrant,
} from "./relay-options.js";
export type { RelayStats } from "./relay-stats.js";
