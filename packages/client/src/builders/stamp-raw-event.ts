// Stamping of a raw event (`emit`'s, and the client's loss reports): what it leaves empty is
// filled from the client's defaults and the active span.
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { Event } from "@chaukas/spec/common/v1";
import type { EventDefaults } from "./build-event.js";
import type { SpanContext } from "./context-manager.js";
import { newSpanId, uuidv7 } from "./ids.js";

/**
 * Fills what a raw event leaves empty from the client and the active context. A given
 * `span_id` is kept; an event without one gets its own span under the active one.
 */
export function stampRawEvent(
  event: Event,
  defaults: EventDefaults,
  active: SpanContext | undefined,
) {
  const nowMs = Date.now();
  event.eventId ||= uuidv7(nowMs);
  event.timestamp ??= timestampFromMs(nowMs);
  event.tenantId ||= defaults.tenantId;
  event.projectId ||= defaults.projectId;
  event.branch ||= defaults.branch;
  if (event.tags.length === 0) event.tags = [...defaults.tags];
  if (active !== undefined) {
    event.sessionId ||= active.sessionId;
    event.traceId ||= active.traceId;
    event.agentId ||= active.agentId ?? "";
    event.agentName ||= active.agentName ?? "";
    if (event.spanId === "") {
      event.spanId = newSpanId();
      event.parentSpanId ||= active.spanId;
    }
  }
}
