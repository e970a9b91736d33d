import { createContextKey } from "@connectrpc/connect";

/** An event the devserver refused, named as every answer and log line names it. */
export interface RejectedEvent {
  /** Position in the request's events (0 for a single event). */
  readonly index: number;
  /** Its `event_id` ("" when it had none, or none that could be read). */
  readonly eventId: string;
  /** The field at fault, relative to the event, in proto names (`content`, `event_id`). */
  readonly field: string;
  /** What is wrong, for a person. */
  readonly reason: string;
}

/** What an ingest call did with its events. */
export interface IngestOutcome {
  /** Events kept: stored now, or already stored under the same `event_id`. */
  readonly accepted: number;
  /** Events refused, by request index. */
  readonly rejected: readonly RejectedEvent[];
  /** Of the accepted events, how many were new. */
  readonly stored: number;
  /** Of the accepted events, how many had an `event_id` already stored. */
  readonly duplicates: number;
}

/**
 * An ingest call made in-process on behalf of an HTTP route (the public REST API, chaukas-sdk's
 * `/events`): what the route hands the service beside the request message, and where the
 * service leaves the outcome. RPC calls carry none: their rejections are the call's error.
 */
export interface IngestCall {
  /** The route, for the log: "POST /v1/events/batch". */
  readonly route: string;
  /** Events the route could not decode, by request index; counted as received and rejected. */
  readonly undecodable: readonly RejectedEvent[];
  /** The request index of each event the service receives (they skip the undecodable ones). */
  readonly indexes: readonly number[];
  /**
   * Refuse an event over the byte limit on its own as invalid (it can never fit), rather than
   * the whole call as too large. For clients that resend a refused call forever.
   */
  readonly rejectOversizeEvents: boolean;
  /** Set by the service: the call's outcome, rejections included (the call itself succeeds). */
  outcome: IngestOutcome | undefined;
}

/** Context value of an in-process ingest call; undefined for RPC calls from the network. */
export const INGEST_CALL = createContextKey<IngestCall | undefined>(undefined, {
  description: "the HTTP route an ingest call comes from",
});

/** How many rejected events an error message or log line names before "… and N more". */
const REJECTIONS_NAMED = 10;

/**
 * `events[3].content (event_id "e-3") is invalid: …; events[7]…`: the rejected events for a
 * person, at most `REJECTIONS_NAMED` of them. `at` names an event by index (`events[3]`).
 */
export function describeRejections(
  rejected: readonly RejectedEvent[],
  at: (index: number) => string = (index) => `events[${index}]`,
): string {
  const named = rejected
    .slice(0, REJECTIONS_NAMED)
    .map(
      (r) =>
        `${at(r.index)}.${r.field} (event_id ${JSON.stringify(r.eventId)}) is invalid: ${r.reason}`,
    );
  const more = rejected.length - named.length;
  return more > 0 ? `${named.join("; ")}; … and ${more} more` : named.join("; ");
}
