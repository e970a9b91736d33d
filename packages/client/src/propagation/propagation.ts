/**
 * Trace context across process boundaries: `inject` writes a span as a W3C `traceparent` and its
 * session as a W3C `baggage` entry; `extract` reads them back from an incoming request. Both
 * follow OpenTelemetry's W3C propagators, so either side may be OTel.
 */

import type { SpanContext } from "../builders/context-manager.js";
import type { SpanScope } from "../builders/scope-types.js";
import { sessionIdFromBaggage, withSessionBaggage } from "./baggage.js";
import { type Carrier, getCarried, setCarried } from "./carrier.js";
import type { RemoteContext } from "./remote-context.js";
import { formatTraceparent, parseTraceparent } from "./trace-context.js";

/** The longest `traceparent` read: a valid one of any version fits (W3C: 55 for version 00). */
const MAX_TRACEPARENT_LENGTH = 512;

/**
 * Writes span `from` into an outgoing request's headers or an MCP `_meta` object:
 * `traceparent`, and `baggage` with `chaukas.session_id` merged into any baggage there. Pass a
 * span handle, or `chaukas.current()` for the active span; writes nothing for `undefined` (no
 * span). Returns the carrier.
 * ```ts
 * const headers = inject(new Headers(), chaukas.current());
 * ```
 */
export function inject<C extends Carrier>(
  carrier: C,
  from: SpanScope | SpanContext | undefined,
): C {
  if (from === undefined) return carrier;
  const context = "context" in from ? from.context : from;
  setCarried(carrier, "traceparent", formatTraceparent(context));
  if (context.sessionId !== "") {
    setCarried(
      carrier,
      "baggage",
      withSessionBaggage(getCarried(carrier, "baggage"), context.sessionId),
    );
  }
  return carrier;
}

/**
 * The caller's context in incoming headers or an MCP `_meta` object, for
 * `chaukas.continueSession`; `undefined` when there is no valid `traceparent`. What came over
 * the network is untrusted: a malformed or oversized header is ignored, never thrown on, and so
 * is a malformed session entry (the context then has no `sessionId`).
 */
export function extract(carrier: Carrier | null | undefined): RemoteContext | undefined {
  if (typeof carrier !== "object" || carrier === null) return undefined;
  try {
    const header = getCarried(carrier, "traceparent");
    if (header === undefined || header.length > MAX_TRACEPARENT_LENGTH) return undefined;
    const parent = parseTraceparent(header);
    if (parent === undefined) return undefined;
    const baggage = getCarried(carrier, "baggage");
    const sessionId = baggage === undefined ? undefined : sessionIdFromBaggage(baggage);
    return { traceId: parent.traceId, spanId: parent.parentId, flags: parent.flags, sessionId };
  } catch {
    // A carrier whose getters throw is as good as none.
    return undefined;
  }
}
