import { create } from "@bufbuild/protobuf";
import {
  type Event,
  type QueryRequest,
  type QueryResponse,
  QueryResponseSchema,
  SortOrder,
} from "@chaukas/spec/common/v1";
import { Code, ConnectError } from "@connectrpc/connect";
import { timestampNanos } from "./event-time.js";
import { decodePageToken, encodePageToken, filterHash, type PageCursor } from "./page-token.js";
import { createFilterPredicate } from "./query-filter.js";

/** Page sizes of `QueryEvents`. */
export const QUERY_PAGE_SIZE = {
  /** Used when `page_size` is 0. */
  default: 100,
  /** Larger requests are clamped to this. */
  max: 1000,
} as const;

/**
 * Runs one `QueryEvents` page over `events`: filter, order by time (ties by event_id, so the
 * order is total and pages are stable), then continue after the token's cursor.
 */
export function queryEvents(events: Iterable<Event>, request: QueryRequest): QueryResponse {
  if (request.pageSize < 0) {
    throw new ConnectError(
      `query.page_size must not be negative (got ${request.pageSize})`,
      Code.InvalidArgument,
    );
  }
  const pageSize =
    request.pageSize === 0
      ? QUERY_PAGE_SIZE.default
      : Math.min(request.pageSize, QUERY_PAGE_SIZE.max);
  const order = sortOrderName(request.orderByTime);
  const hash = filterHash(request.filter);
  const cursor =
    request.pageToken === "" ? undefined : decodePageToken(request.pageToken, order, hash);

  const matches = createFilterPredicate(request.filter);
  const direction = order === "asc" ? 1 : -1;
  const keyed: { at: bigint; id: string; event: Event }[] = [];
  for (const event of events) {
    if (!matches(event)) continue;
    const key = { at: timestampNanos(event.timestamp), id: event.eventId, event };
    if (cursor !== undefined && compareKeys(key, cursorKey(cursor)) * direction <= 0) continue;
    keyed.push(key);
  }
  keyed.sort((a, b) => compareKeys(a, b) * direction);

  const page = keyed.slice(0, pageSize);
  const last = page.at(-1);
  const nextPageToken =
    keyed.length > pageSize && last !== undefined
      ? encodePageToken({ order, filter: hash, afterNanos: last.at, afterId: last.id })
      : "";
  return create(QueryResponseSchema, { events: page.map((k) => k.event), nextPageToken });
}

function sortOrderName(order: SortOrder): "asc" | "desc" {
  switch (order) {
    case SortOrder.ASC:
      return "asc";
    case SortOrder.DESC:
    case SortOrder.UNSPECIFIED:
      return "desc";
    default:
      throw new ConnectError(
        `query.order_by_time ${order} is not a known SortOrder`,
        Code.InvalidArgument,
      );
  }
}

function cursorKey(cursor: PageCursor): { at: bigint; id: string } {
  return { at: cursor.afterNanos, id: cursor.afterId };
}

function compareKeys(a: { at: bigint; id: string }, b: { at: bigint; id: string }): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}
