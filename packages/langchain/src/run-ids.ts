/**
 * Chaukas ids from LangChain's run ids (UUIDs, v7 since @langchain/core 1), so an event can be
 * found from the run LangSmith or a log shows, and a run's span is the same however often the
 * handler sees it.
 */

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const ALL_ZEROS = /^0+$/;

function hexOf(runId: string): string | undefined {
  return UUID.test(runId) ? runId.replace(/-/g, "").toLowerCase() : undefined;
}

/**
 * A run's span id: the last 16 hex digits of its UUID (in a v7 UUID, 62 of those 64 bits are
 * random). `undefined` when the run id is not a UUID (a caller's own `runId`): the builder then
 * makes a new span id.
 */
export function spanIdOfRun(runId: string): string | undefined {
  const spanId = hexOf(runId)?.slice(16);
  return spanId === undefined || ALL_ZEROS.test(spanId) ? undefined : spanId;
}

/** A root run's trace id: its UUID's 32 hex digits (as LangSmith's trace id is the root run id). */
export function traceIdOfRun(runId: string): string | undefined {
  const traceId = hexOf(runId);
  return traceId === undefined || ALL_ZEROS.test(traceId) ? undefined : traceId;
}
