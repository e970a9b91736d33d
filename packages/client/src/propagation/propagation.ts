/**
 * Trace context across process boundaries: `inject` writes the active span as a W3C
 * `traceparent` and the session as a W3C `baggage` entry; `extract` reads them back from an
 * incoming request. Both follow OpenTelemetry's W3C propagators, so either side may be OTel.
 */

import type { SpanContext } from "../builders/context-manager.js";
import { sessionIdFromBaggage, withSessionBaggage } from "./baggage.js";
import { type Carrier, getCarried, setCarried } from "./carrier.js";
import type { RemoteContext } from "./remote-context.js";
import { formatTraceparent, parseTraceparent } from "./trace-context.js";

/** The longest `traceparent` read: a valid one of any version fits (W3C: 55 for version 00). */
const MAX_TRACEPARENT_LENGTH = 512;

/**
 * Writes `context` into `carrier`: `traceparent`, and `baggage` with `chaukas.session_id`
 * merged into what is there. Nothing without a context. Returns the carrier.
 */
export function injectContext<C extends Carrier>(carrier: C, context: SpanContext | undefined): C {
  if (context === undefined) return carrier;
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
 * The caller's context in `carrier`, or `undefined` when there is no valid `traceparent`. What
 * came over the network is untrusted: a malformed or oversized header is ignored, never thrown
 * on, and so is a malformed session entry (the context then has no `sessionId`).
 */
export function extractContext(carrier: Carrier | null | undefined): RemoteContext | undefined {
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
