import { type Event, EventType } from "@chaukas/spec/common/v1";
import { ConnectError, type Interceptor } from "@connectrpc/connect";
import { outcomeName } from "./call-counter.js";
import { describeRejections, INGEST_CALL } from "./ingest-call.js";
import { INGEST_COUNT_METADATA_KEYS } from "./ingest-limits.js";
import type { DevServerLogger } from "./options.js";

/** How many distinct types a log line names before it abbreviates. */
const TYPES_SHOWN = 3;

/**
 * "MODEL_INVOCATION_END×3, TOOL_CALL_START×2 …": the types of a call's events, most
 * frequent first, so a person watching the log sees what the agent is doing.
 */
export function summarizeTypes(events: readonly Event[]): string {
  const counts = new Map<string, number>();
  for (const event of events) {
    const name = EventType[event.type] ?? `TYPE_${event.type}`;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = sorted.slice(0, TYPES_SHOWN).map(([name, n]) => (n === 1 ? name : `${name}×${n}`));
  return sorted.length > TYPES_SHOWN ? `${shown.join(", ")} …` : shown.join(", ");
}

/** The events an ingest request carries, or undefined for other methods. */
function ingestedEvents(method: string, message: unknown): readonly Event[] | undefined {
  const m = message as { event?: Event; eventBatch?: { events: Event[] } };
  if (method === "IngestEvent") return m.event === undefined ? [] : [m.event];
  if (method === "IngestEventBatch") return m.eventBatch?.events ?? [];
  return undefined;
}

/**
 * Logs one line per ingest call: route (for calls of the HTTP routes), count, types, outcome,
 * and each rejected event by index, event id and reason. Never headers (they hold the key).
 */
export function createIngestLogInterceptor(logger: DevServerLogger): Interceptor {
  return (next) => async (req) => {
    if (req.stream) return next(req);
    const decoded = ingestedEvents(req.method.name, req.message);
    if (decoded === undefined) return next(req);
    const call = req.contextValues.get(INGEST_CALL);
    const count = decoded.length + (call?.undecodable.length ?? 0);
    const summary = decoded.length === 0 ? "" : summarizeTypes(decoded);
    const ingest =
      req.method.name === "IngestEvent"
        ? `ingest event ${summary || "(none)"}`
        : `ingest batch ${count} event${count === 1 ? "" : "s"}${summary ? ` (${summary})` : ""}`;
    const what = call === undefined ? ingest : `${call.route}: ${ingest}`;
    try {
      const res = await next(req);
      const duplicates = Number(res.header.get(INGEST_COUNT_METADATA_KEYS.duplicates) ?? 0);
      const rejected = call?.outcome?.rejected ?? [];
      logger.info(
        `${what} → ok${duplicates > 0 ? ` (${duplicates} duplicate)` : ""}${
          rejected.length > 0
            ? `, ${rejected.length} rejected: ${describeRejections(rejected)}`
            : ""
        }`,
      );
      return res;
    } catch (error) {
      const connectError = ConnectError.from(error);
      logger.info(`${what} → ${outcomeName(connectError.code)}: ${connectError.rawMessage}`);
      throw error;
    }
  };
}
