// One request through the relay: what was granted and what came of it, as the steps record it.

import { Code, ConnectError, createContextKey } from "@connectrpc/connect";
import { BATCH_TOO_LARGE_REASON, ERROR_REASON_METADATA_KEY } from "../pipeline/batch-too-large.js";

/** Why the relay refused a whole request (counted in `RelayStats`). */
export type RelayRefusal = "unauthorized" | "tooLarge" | "rateLimited" | "malformed";

/** What `authorize` granted, in the form the relay checks events against. */
export interface CallerGrant {
  readonly tenantId: string;
  readonly projectId: string;
  /** Undefined: any session may be written, none read. */
  readonly sessionIds: ReadonlySet<string> | undefined;
  /** Whose budget the request's events count against. */
  readonly callerKey: string;
}

/**
 * One request through the relay, from the first step that touches it to the counters: what it
 * was granted, what came of it. Each step writes its own field; `RelayCounters.record` reads
 * them once the request is answered.
 */
export interface RelayCall<Request> {
  /** The request as the app's framework gave it, for `authorize`. */
  readonly request: Request;
  grant: CallerGrant | undefined;
  /** Set by the step that refused the whole request. */
  refusal: RelayRefusal | undefined;
  /** Whether an RPC's message was decoded and reached the relay's implementation. */
  decoded: boolean;
  /** Events handed to the server's client. */
  forwarded: number;
  /** Events rejected for a session the caller does not own. */
  foreignSession: number;
}

export function newRelayCall<Request>(request: Request): RelayCall<Request> {
  return {
    request,
    grant: undefined,
    refusal: undefined,
    decoded: false,
    forwarded: 0,
    foreignSession: 0,
  };
}

/** How an RPC's handler finds its call (set on the request's context values). */
export const RELAY_CALL = createContextKey<RelayCall<unknown> | undefined>(undefined, {
  description: "chaukas.relay.call",
});

/**
 * Records `refusal` on the call and returns its error: the one place a refusal is decided, so
 * the answer and the count cannot disagree.
 */
export function refuse<E extends Error>(
  call: RelayCall<unknown>,
  refusal: RelayRefusal,
  error: E,
): E {
  call.refusal = refusal;
  return error;
}

/** The answer to a request over a size limit: the browser client splits its batch on it. */
export function tooLargeError(message: string): ConnectError {
  return new ConnectError(message, Code.ResourceExhausted, {
    [ERROR_REASON_METADATA_KEY]: BATCH_TOO_LARGE_REASON,
  });
}

/** The answer to a caller over its budget: come back in `retryAfterMs` (sent in whole seconds). */
export function rateLimitedError(retryAfterMs: number): ConnectError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new ConnectError(
    `over this caller's events per second: retry after ${seconds} s`,
    Code.ResourceExhausted,
    { "retry-after": String(seconds) },
  );
}
