// The relay's query step: a page may read back only the sessions its caller owns.

import { timestampMs } from "@bufbuild/protobuf/wkt";
import { type QueryFilter, type QueryRequest, SortOrder } from "@chaukas/spec/common/v1";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ChaukasClient, QueryPage, QueryPageOptions } from "../client.js";
import type { EventFilter } from "../query-filter.js";
import { ChaukasValidationError } from "../validation/validation-error.js";
import type { CallerGrant } from "./relay-call.js";
import type { RelayErrorStep } from "./relay-options.js";

/**
 * A page's query, answered through the server's client for one of the caller's sessions only:
 * tenant and project are the grant's, the session must be one `authorize` granted (the only one
 * when the filter names none), and the page's other filters narrow it further. Rejects with
 * PermissionDenied for any other session, InvalidArgument for a filter the client refuses, and
 * the backend's failure as the page may see it (a refusal of the server's key is Internal).
 */
export async function queryForCaller(
  chaukas: Pick<ChaukasClient, "queryPage">,
  grant: CallerGrant,
  request: QueryRequest | undefined,
  signal: AbortSignal,
  report: (error: unknown, step: RelayErrorStep) => void,
): Promise<QueryPage> {
  const sessions = grant.sessionIds ?? new Set<string>();
  const filter = request?.filter;
  const sessionId = filter?.sessionId || (sessions.size === 1 ? [...sessions][0]! : "");
  if (!sessions.has(sessionId)) {
    throw new ConnectError(
      sessionId === ""
        ? "name one of your sessions in the filter's session_id"
        : "session_id is not one of your sessions",
      Code.PermissionDenied,
    );
  }
  const options: QueryPageOptions = {
    signal,
    ...(request?.pageSize ? { pageSize: request.pageSize } : {}),
    ...(request?.pageToken ? { pageToken: request.pageToken } : {}),
    ...(request?.orderByTime === SortOrder.ASC ? { order: "asc" as const } : {}),
    ...(request?.orderByTime === SortOrder.DESC ? { order: "desc" as const } : {}),
  };
  try {
    return await chaukas.queryPage(
      { ...narrowing(filter), tenantId: grant.tenantId, projectId: grant.projectId, sessionId },
      options,
    );
  } catch (error) {
    if (error instanceof ChaukasValidationError) {
      throw new ConnectError(error.message, Code.InvalidArgument);
    }
    report(error, "query");
    const code = ConnectError.from(error).code;
    throw new ConnectError(
      "the backend did not answer the query",
      code === Code.Unauthenticated || code === Code.PermissionDenied ? Code.Internal : code,
    );
  }
}

/** The filters of the page's query besides tenant, project and session. */
function narrowing(filter: QueryFilter | undefined): EventFilter {
  if (filter === undefined) return {};
  const { start, end } = filter.time ?? {};
  return {
    ...(filter.agentId ? { agentId: filter.agentId } : {}),
    ...(filter.spanId ? { spanId: filter.spanId } : {}),
    ...(filter.traceId ? { traceId: filter.traceId } : {}),
    ...(filter.types.length ? { types: filter.types } : {}),
    ...(filter.statuses.length ? { statuses: filter.statuses } : {}),
    ...(filter.severities.length ? { severities: filter.severities } : {}),
    ...(filter.tags.length ? { tags: filter.tags } : {}),
    ...(filter.textQuery ? { textQuery: filter.textQuery } : {}),
    ...(start || end
      ? {
          time: {
            ...(start ? { start: timestampMs(start) } : {}),
            ...(end ? { end: timestampMs(end) } : {}),
          },
        }
      : {}),
  };
}
