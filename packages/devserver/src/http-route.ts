import type { PublicIngestResult } from "@chaukas/client/rest";
import type { HttpAnswer } from "./http-exchange.js";
import type { IngestOutcome, RejectedEvent } from "./ingest-call.js";

/** A request that passed a route's method, auth and content-type checks, its body read. */
export interface RouteRequest {
  /** "POST /v1/events", for log lines. */
  readonly route: string;
  /** The body's media type ("application/json"), "" for none. */
  readonly mediaType: string;
  /** The body, decompressed, within the read limit. */
  readonly body: Uint8Array;
  /** The `authorization` header, passed on to the RPC the route calls. */
  readonly authorization: string | undefined;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
}

/** One HTTP route beside the RPCs: the public REST API's, and chaukas-sdk's. */
export interface HttpRoute {
  readonly method: "GET" | "POST";
  readonly path: string;
  /** Media types of the request bodies it reads (POST routes). */
  readonly accepts: readonly string[];
  /** What it is, for the list of what this server serves. */
  readonly summary: string;
  handle(request: RouteRequest): Promise<HttpAnswer>;
}

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
