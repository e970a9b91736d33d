/**
 * What the app tells a relay: who may write what (`authorize`), and how much per caller.
 */

/**
 * What `authorize` grants one request: where its events go and which sessions it owns. The relay
 * sets `tenantId` and `projectId` on every event, whatever the page wrote.
 */
export interface RelayGrant {
  /** `tenant_id` of every event of this request. Required, non-empty. */
  readonly tenantId: string;
  /** `project_id` of every event of this request. Required, non-empty. */
  readonly projectId: string;
  /**
   * The sessions this caller may write (and read, with `query`). An event for any other session
   * is rejected and counted (`RelayStats.foreignSession`); the rest of its batch is forwarded.
   * Default: any session may be written, none read.
   */
  readonly sessionIds?: readonly string[] | undefined;
  /**
   * Whose budget the request's events count against (`eventsPerSecond`): your user's or
   * device's id. Default: the tenant, project and `sessionIds` together, so callers that share
   * them share one budget.
   */
  readonly callerId?: string | undefined;
}

/** `authorize`'s answer: a grant, or a refusal (`null`, `false`, `undefined`: answered 401). */
export type RelayAuthorization = RelayGrant | null | false | undefined;

/** Where `onError` of a relay was told about a failure. */
export type RelayErrorStep = "authorize" | "query";

/** Options of `createChaukasRelay` (`@chaukas/transport-node`, `@chaukas/transport-web`). */
export interface ChaukasRelayOptions<Request> {
  /**
   * The app's decision, per request: read your session cookie or token from `request` and
   * return what this caller may write, or refuse. Sync or async. A refusal, a throw or a
   * rejection is answered 401 before the body is read (a throw also goes to `onError`); an
   * answer that is not a valid grant is answered 500 and goes to `onError`. Required.
   */
  readonly authorize: (request: Request) => RelayAuthorization | PromiseLike<RelayAuthorization>;
  /**
   * Events per second each caller may send, on average (a query page counts as one); a request
   * over it is answered 429 with `retry-after`, and nothing of it is forwarded (the browser
   * client sends it again then). `Infinity` turns the limit off. Default:
   * `RELAY_DEFAULTS.eventsPerSecond`.
   */
  readonly eventsPerSecond?: number;
  /**
   * Events a caller may send at once after being idle (the token bucket's size). A batch larger
   * than this is answered as too large, which the browser client answers by splitting it.
   * Default: `RELAY_DEFAULTS.burstEvents`.
   */
  readonly burstEvents?: number;
  /**
   * Bytes of one request body at most, read with this bound: a larger request is refused as too
   * large (the browser client splits its batch and sends the halves). Default:
   * `RELAY_DEFAULTS.maxRequestBytes`.
   */
  readonly maxRequestBytes?: number;
  /**
   * Answer `QueryEvents` (the page's `chaukas.query()`), only for the sessions `authorize`
   * grants in `sessionIds`, through the server's client. Default: false (not served).
   */
  readonly query?: boolean;
  /**
   * Callers whose budgets are kept at most; past it the least recently seen caller's budget is
   * forgotten (it starts full again). Bounds the relay's memory. Default:
   * `RELAY_DEFAULTS.maxCallers`.
   */
  readonly maxCallers?: number;
  /**
   * Told when `authorize` threw or returned an invalid grant, or when the backend failed a
   * query; the request is answered either way. What `onError` throws is ignored. Default: none.
   */
  readonly onError?: ((error: unknown, step: RelayErrorStep) => void) | undefined;
}

/** Defaults of `ChaukasRelayOptions`, in one place so docs and code agree. */
export const RELAY_DEFAULTS = {
  /** A chat page sends a few events per interaction; this leaves room for a busy agent UI. */
  eventsPerSecond: 50,
  /** Above the browser client's largest batch (`PROCESSOR_DEFAULTS.maxBatchSize`, 256). */
  burstEvents: 512,
  /** 1 MiB: a full batch of the browser client (256 KiB binary) fits, even as JSON. */
  maxRequestBytes: 1024 * 1024,
  query: false,
  maxCallers: 10_000,
} as const satisfies Partial<ChaukasRelayOptions<unknown>>;
