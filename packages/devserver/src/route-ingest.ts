import { create, type JsonObject } from "@bufbuild/protobuf";
import type { PublicIngestResult } from "@chaukas/client/rest";
import { ChaukasClientService } from "@chaukas/spec/client/v1";
import type { EventBatch } from "@chaukas/spec/common/v1";
import { ConnectError } from "@connectrpc/connect";
import { errorAnswer, type HttpAnswer, passedOnHeaders } from "./http-exchange.js";
import type { RouteRequest } from "./http-route.js";
import type { IngestCall, IngestOutcome, RejectedEvent } from "./ingest-call.js";
import type { RpcHandler } from "./rpc-handler.js";

// How the HTTP routes hand their events to the ingest RPCs, and answer with the outcome.

/**
 * The body of an ingest answer, the same on every HTTP route: the fields of
 * `chaukas.spec.server.v1.IngestEventBatchResponse` plus each refused event and why.
 */
export function ingestResultBody(outcome: IngestOutcome, batchId: string): PublicIngestResult {
  return {
    batch_id: batchId,
    accepted_count: outcome.accepted,
    rejected_count: outcome.rejected.length,
    rejected_event_ids: outcome.rejected.map((r) => r.eventId),
    rejected: outcome.rejected.map((r: RejectedEvent) => ({
      index: r.index,
      event_id: r.eventId,
      field: r.field,
      reason: r.reason,
    })),
  };
}

/** The in-process call of an HTTP route's ingest request; the service fills in the outcome. */
export function ingestCall(
  request: RouteRequest,
  undecodable: readonly RejectedEvent[],
  indexes: readonly number[],
  rejectOversizeEvents = false,
): IngestCall {
  return { route: request.route, undecodable, indexes, rejectOversizeEvents, outcome: undefined };
}

/**
 * Runs an ingest call; undefined when it succeeded (the outcome is on the call), else the
 * answer to its error. The ingest log has logged it either way.
 */
export async function ingest(run: () => Promise<unknown>): Promise<HttpAnswer | undefined> {
  try {
    await run();
    return undefined;
  } catch (error) {
    if (!(error instanceof ConnectError)) throw error;
    return { ...errorAnswer(error), logged: true };
  }
}

/**
 * Ingests a batch whose events the route decoded (`batch`) or could not (`undecodable`, by
 * index): answered `okStatus` with the result whenever the service took the call.
 */
export async function ingestBatch(
  rpc: RpcHandler,
  request: RouteRequest,
  batch: EventBatch,
  undecodable: readonly RejectedEvent[],
  okStatus: number,
  options: { rejectOversizeEvents?: boolean; onError?: (answer: HttpAnswer) => HttpAnswer } = {},
): Promise<HttpAnswer> {
  const undecodableIndexes = new Set(undecodable.map((r) => r.index));
  const indexes: number[] = [];
  for (let i = 0; indexes.length < batch.events.length; i++) {
    if (!undecodableIndexes.has(i)) indexes.push(i);
  }
  const call = ingestCall(request, undecodable, indexes, options.rejectOversizeEvents);
  let headers = new Headers();
  const failed = await ingest(async () => {
    const { header } = await rpc.call(
      ChaukasClientService.method.ingestEventBatch,
      create(ChaukasClientService.method.ingestEventBatch.input, { eventBatch: batch }),
      { ...request, ingestCall: call },
    );
    headers = passedOnHeaders(header);
  });
  if (failed !== undefined) return options.onError?.(failed) ?? failed;
  const body = ingestResultBody(call.outcome!, batch.batchId) as unknown as JsonObject;
  return { status: okStatus, body, headers, logged: true };
}

/** A validation error's reason without the field it names (kept apart in the answer). */
export function reasonOf(error: Error & { field: string }): string {
  const prefix = `${error.field}: `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}
