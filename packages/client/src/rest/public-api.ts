// The public REST API's paths and the shapes of its ingest answers and errors.

import { expected, fail } from "../validation/validation-error.js";

/** The paths of the public REST API (`openapi-public.yaml`), relative to a backend's base URL. */
export const PUBLIC_API_PATHS = {
  /** `GET`: 200 while the backend is up. */
  healthz: "/healthz",
  /** `GET`: the `Capabilities` object. */
  capabilities: "/v1/capabilities",
  /** `POST` one `Event`: 202. */
  ingestEvent: "/v1/events",
  /** `POST` an `EventBatch`: 202. */
  ingestEventBatch: "/v1/events/batch",
  /** `POST` a `QueryRequest`: 200 with a `QueryResponse`. */
  query: "/v1/query",
} as const;

/** An event a backend refused, as an ingest answer names it. */
export interface PublicRejectedEvent {
  /** Position in the request's `events` (0 for a single event). */
  readonly index: number;
  /** Its `event_id` ("" when it had none, or none that could be read). */
  readonly event_id: string;
  /** The property at fault, relative to the event (`content.kind`, `event_id`). */
  readonly field: string;
  /** What is wrong, for a person. */
  readonly reason: string;
}

/**
 * The body of a successful ingest answer (202 on `/v1/events` and `/v1/events/batch`). The API
 * defines no body; this one carries the fields of `chaukas.spec.server.v1.IngestEventBatchResponse`
 * plus `rejected`, which says why each refused event was refused. A backend that answers 202
 * without a body accepted every event.
 */
export interface PublicIngestResult {
  /** The batch's `batch_id`, echoed ("" for a single event). */
  readonly batch_id: string;
  /** Events kept: stored now, or stored before under the same `event_id`. */
  readonly accepted_count: number;
  /** Events refused; resending them cannot help. */
  readonly rejected_count: number;
  /** The `event_id` of each refused event, in request order. */
  readonly rejected_event_ids: readonly string[];
  /** Each refused event with its index and the reason. */
  readonly rejected: readonly PublicRejectedEvent[];
}

/**
 * The body of an error answer (4xx/5xx) of the public REST API: a Connect-style code and
 * message, plus what a client acts on.
 */
export interface PublicApiError {
  /** The Connect code in snake case: "invalid_argument", "unauthenticated", "resource_exhausted", … */
  readonly code: string;
  readonly message: string;
  /** For an invalid request: the property at fault (`events`, `filter.types[0]`). */
  readonly field?: string;
  /** `"batch-too-large"` (HTTP 413) when a smaller batch would be accepted: split and resend. */
  readonly reason?: string;
}

/**
 * Reads an ingest answer's JSON body into a `PublicIngestResult`; a missing list or count reads
 * as empty or 0. Throws `ChaukasValidationError` naming the property when a value has the wrong type.
 */
export function readPublicIngestResult(json: unknown): PublicIngestResult {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    fail(["result"], expected("a JSON object", json));
  }
  const body = json as Record<string, unknown>;
  const rejected = list(body.rejected, "rejected").map((item, index): PublicRejectedEvent => {
    const at = `rejected[${index}]`;
    if (typeof item !== "object" || item === null) fail([at], expected("a JSON object", item));
    const entry = item as Record<string, unknown>;
    return {
      index: count(entry.index, `${at}.index`),
      event_id: text(entry.event_id, `${at}.event_id`),
      field: text(entry.field, `${at}.field`),
      reason: text(entry.reason, `${at}.reason`),
    };
  });
  return {
    batch_id: text(body.batch_id, "batch_id"),
    accepted_count: count(body.accepted_count, "accepted_count"),
    rejected_count: count(body.rejected_count, "rejected_count"),
    rejected_event_ids: list(body.rejected_event_ids, "rejected_event_ids").map((id, i) =>
      text(id, `rejected_event_ids[${i}]`),
    ),
    rejected,
  };
}

function text(value: unknown, field: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") fail([field], expected("a string", value));
  return value;
}

function count(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0;
  if (!Number.isInteger(value) || (value as number) < 0) {
    fail([field], expected("an integer >= 0", value));
  }
  return value as number;
}

function list(value: unknown, field: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail([field], expected("an array", value));
  return value;
}
