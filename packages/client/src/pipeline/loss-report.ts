// Loss reports as events: the SYSTEM event that records a session's lost events, and reading one.
import { create, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import {
  Author,
  type Event,
  EventSchema,
  EventStatus,
  EventType,
  Severity,
} from "@chaukas/spec/common/v1";
import { newSpanId, uuidv7 } from "../builders/ids.js";
import { type ChainGap, isLossReason, type LossReason, type LossRecord } from "./loss-ledger.js";

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
  const record = lossRecordOf(event);
  return record && { lostEvents: record.events, gaps: [...record.chainGaps] };
}

/**
 * The record a loss report carries (the inverse of `lossReportEvent`), undefined for any other
 * event. Lenient where `verifyChain` needs only the counts and gaps: a missing id reads "", a
 * missing timestamp the event's own.
 */
export function lossRecordOf(event: Event): LossRecord | undefined {
  if (event.type !== EventType.SYSTEM) return undefined;
  const report = event.metadata?.[LOSS_REPORT_KEY];
  if (!isJsonObject(report) || typeof report.events !== "number") return undefined;
  const chainGaps = (Array.isArray(report.chain_gaps) ? report.chain_gaps : []).flatMap((gap) => {
    if (!isJsonObject(gap)) return [];
    const { previous_hash, last_lost_hash, events: lost } = gap;
    return typeof previous_hash === "string" &&
      typeof last_lost_hash === "string" &&
      typeof lost === "number"
      ? [{ previousHash: previous_hash, lastLostHash: last_lost_hash, events: lost }]
      : [];
  });
  const counts: Partial<Record<LossReason, number>> = {};
  if (isJsonObject(report.counts)) {
    for (const [reason, count] of Object.entries(report.counts)) {
      if (isLossReason(reason) && typeof count === "number") {
        counts[reason as LossReason] = count;
      }
    }
  }
  const ownMs = event.timestamp === undefined ? Date.now() : timestampMs(event.timestamp);
  const ms = (value: JsonValue | undefined) =>
    typeof value === "string" && !Number.isNaN(Date.parse(value)) ? Date.parse(value) : ownMs;
  const id = (value: JsonValue | undefined) => (typeof value === "string" ? value : "");
  return {
    sessionId: event.sessionId,
    traceId: event.traceId,
    events: report.events,
    counts,
    firstEventId: id(report.first_event_id),
    lastEventId: id(report.last_event_id),
    firstTimestampMs: ms(report.first_timestamp),
    lastTimestampMs: ms(report.last_timestamp),
    chainGaps,
  };
}

const isJsonObject = (value: JsonValue | undefined): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);
