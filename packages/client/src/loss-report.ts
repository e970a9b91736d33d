import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  Author,
  type Event,
  EventSchema,
  EventStatus,
  EventType,
  Severity,
} from "@chaukas/spec/common/v1";
import { newSpanId, uuidv7 } from "./ids.js";
import type { ChainGap, LossRecord } from "./loss-ledger.js";

/**
 * The `metadata` key of a loss report: a SYSTEM event the client adds to a session when some of
 * its events were dropped, so the backend holds a record of what is missing. Its value:
 * `{ events, counts: { queueFull?, outboxFull?, tooLarge?, prepareFailed? }, first_event_id,
 * last_event_id, first_timestamp, last_timestamp, chain_gaps: [{ previous_hash,
 * last_lost_hash, events }] }`.
 */
export const LOSS_REPORT_KEY = "chaukas_loss";

/**
 * The SYSTEM event reporting `record`: author SYSTEM, severity WARN, a one-line message, the
 * record under `metadata.chaukas_loss`, in the record's session and trace (its own span).
 * Tenant, project, branch and tags are left for the client to fill.
 */
export function lossReportEvent(record: LossRecord): Event {
  const counts = Object.entries(record.counts)
    .map(([reason, count]) => `${reason}: ${count}`)
    .join(", ");
  const nowMs = Date.now();
  return create(EventSchema, {
    eventId: uuidv7(nowMs),
    timestamp: timestampFromMs(nowMs),
    sessionId: record.sessionId,
    traceId: record.traceId,
    spanId: newSpanId(),
    type: EventType.SYSTEM,
    author: Author.SYSTEM,
    status: EventStatus.COMPLETED,
    severity: Severity.WARN,
    content: {
      case: "message",
      value: {
        role: "system",
        text: `chaukas: ${record.events} event${record.events === 1 ? "" : "s"} lost (${counts})`,
      },
    },
    metadata: {
      [LOSS_REPORT_KEY]: {
        events: record.events,
        counts: { ...record.counts },
        first_event_id: record.firstEventId,
        last_event_id: record.lastEventId,
        first_timestamp: new Date(record.firstTimestampMs).toISOString(),
        last_timestamp: new Date(record.lastTimestampMs).toISOString(),
        chain_gaps: record.chainGaps.map((gap) => ({
          previous_hash: gap.previousHash,
          last_lost_hash: gap.lastLostHash,
          events: gap.events,
        })),
      },
    },
  });
}

/** What a loss report says: events lost and chain gaps; undefined for any other event. */
export function lossReportOf(event: Event): { lostEvents: number; gaps: ChainGap[] } | undefined {
  if (event.type !== EventType.SYSTEM) return undefined;
  const report = event.metadata?.[LOSS_REPORT_KEY];
  if (typeof report !== "object" || report === null || Array.isArray(report)) return undefined;
  const { events, chain_gaps } = report;
  if (typeof events !== "number") return undefined;
  const gaps = (Array.isArray(chain_gaps) ? chain_gaps : []).flatMap((gap) => {
    if (typeof gap !== "object" || gap === null || Array.isArray(gap)) return [];
    const { previous_hash, last_lost_hash, events: lost } = gap;
    return typeof previous_hash === "string" &&
      typeof last_lost_hash === "string" &&
      typeof lost === "number"
      ? [{ previousHash: previous_hash, lastLostHash: last_lost_hash, events: lost }]
      : [];
  });
  return { lostEvents: events, gaps };
}
