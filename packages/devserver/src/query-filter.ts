import type { Event, QueryFilter } from "@chaukas/spec/common/v1";
import { searchableText } from "./event-text.js";
import { timestampNanos } from "./event-time.js";

/** A predicate for one `QueryFilter`; an empty field does not filter. */
export function createFilterPredicate(filter: QueryFilter | undefined): (event: Event) => boolean {
  if (filter === undefined) return () => true;
  const equalities: [keyof Event & string, string][] = (
    [
      ["tenantId", filter.tenantId],
      ["projectId", filter.projectId],
      ["sessionId", filter.sessionId],
      ["agentId", filter.agentId],
      ["spanId", filter.spanId],
      ["traceId", filter.traceId],
    ] as [keyof Event & string, string][]
  ).filter(([, wanted]) => wanted !== "");
  const types = new Set(filter.types);
  const statuses = new Set(filter.statuses);
  const severities = new Set(filter.severities);
  const tags = filter.tags;
  const text = filter.textQuery.toLowerCase();
  const start = filter.time?.start === undefined ? undefined : timestampNanos(filter.time.start);
  const end = filter.time?.end === undefined ? undefined : timestampNanos(filter.time.end);

  return (event) => {
    for (const [field, wanted] of equalities) {
      if (event[field] !== wanted) return false;
    }
    if (types.size > 0 && !types.has(event.type)) return false;
    if (statuses.size > 0 && !statuses.has(event.status)) return false;
    if (severities.size > 0 && !severities.has(event.severity)) return false;
    if (tags.length > 0 && !tags.every((tag) => event.tags.includes(tag))) return false;
    if (start !== undefined || end !== undefined) {
      // The range is half-open, [start, end), so consecutive ranges never share an event.
      const at = timestampNanos(event.timestamp);
      if (start !== undefined && at < start) return false;
      if (end !== undefined && at >= end) return false;
    }
    if (text !== "" && !searchableText(event).includes(text)) return false;
    return true;
  };
}
