import { create, toBinary } from "@bufbuild/protobuf";
import { checkEventRules, type EventRuleViolation } from "@chaukas/client";
import {
  type ChaukasClientService,
  GetCapabilitiesResponseSchema,
  IngestEventBatchRequestSchema,
  IngestEventRequestSchema,
  QueryEventsResponseSchema,
} from "@chaukas/spec/client/v1";
import { CapabilitiesSchema, type Event } from "@chaukas/spec/common/v1";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import type { EventStore } from "./event-store.js";
import {
  describeRejections,
  INGEST_CALL,
  type IngestCall,
  type IngestOutcome,
  type RejectedEvent,
} from "./ingest-call.js";
import { batchTooLargeError, INGEST_COUNT_METADATA_KEYS } from "./ingest-limits.js";
import { queryEvents } from "./query-events.js";

/** The limits the service enforces; read on every call so fault overrides apply at once. */
export interface IngestLimits {
  readonly maxBatchEvents: number;
  maxBatchBytes(): number;
}

/**
 * What this server really does. It stores POLICY_DECISION and DATA_ACCESS events like any
 * other; it keeps no WORM log, proofs, RBAC or SSO, and queries one process's memory.
 */
const CAPABILITIES = create(CapabilitiesSchema, {
  wormRetention: false,
  auditProofs: false,
  distributedQuery: false,
  rbac: false,
  sso: false,
  policyDecisions: true,
  dataAccessEvents: true,
});

/** `ChaukasClientService` over an `EventStore`. */
export function createChaukasService(
  store: EventStore,
  limits: IngestLimits,
): ServiceImpl<typeof ChaukasClientService> {
  return {
    healthz() {
      return {};
    },

    getCapabilities() {
      return create(GetCapabilitiesResponseSchema, { capabilities: CAPABILITIES });
    },

    ingestEvent(req, ctx) {
      const event = req.event;
      if (event === undefined) {
        throw new ConnectError("event is required", Code.InvalidArgument);
      }
      const call = ctx.values.get(INGEST_CALL);
      store.noteReceived(1);
      const bytes = toBinary(IngestEventRequestSchema, req).byteLength;
      const maxBytes = limits.maxBatchBytes();
      const refused: RejectedEvent[] = [];
      if (bytes > maxBytes) {
        const what = `event of ${bytes} bytes is over the ${maxBytes}-byte limit`;
        if (call?.rejectOversizeEvents !== true) throw batchTooLargeError(what);
        refused.push({ index: 0, eventId: event.eventId, field: "event", reason: what });
      }
      const outcome = ingest(store, [event], call, refused);
      const [first] = outcome.rejected;
      if (first !== undefined && call === undefined) {
        throw new ConnectError(
          `event.${first.field} is invalid: ${first.reason}`,
          Code.InvalidArgument,
          countHeaders(outcome),
        );
      }
      setCounts(ctx, outcome);
      return {};
    },

    ingestEventBatch(req, ctx) {
      const batch = req.eventBatch;
      if (batch === undefined) {
        throw new ConnectError("event_batch is required", Code.InvalidArgument);
      }
      const call = ctx.values.get(INGEST_CALL);
      const count = batch.events.length + (call?.undecodable.length ?? 0);
      store.noteReceived(count);
      if (count > limits.maxBatchEvents) {
        throw batchTooLargeError(
          `event_batch of ${count} events is over the ${limits.maxBatchEvents}-event limit`,
        );
      }
      const maxBytes = limits.maxBatchBytes();
      const refused =
        call?.rejectOversizeEvents === true ? oversizeEvents(batch.events, call, maxBytes) : [];
      const refusedIds = new Set(refused.map((r) => r.index));
      const kept = batch.events.filter((_, i) => !refusedIds.has(requestIndex(call, i)));
      const measured =
        refused.length === 0
          ? req
          : create(IngestEventBatchRequestSchema, { eventBatch: { ...batch, events: kept } });
      const bytes = toBinary(IngestEventBatchRequestSchema, measured).byteLength;
      if (bytes > maxBytes) {
        throw batchTooLargeError(
          `event_batch of ${bytes} bytes is over the ${maxBytes}-byte limit`,
        );
      }

      const outcome = ingest(store, batch.events, call, refused);
      if (outcome.rejected.length > 0 && call === undefined) {
        const named = describeRejections(outcome.rejected, (i) => `event_batch.events[${i}]`);
        throw new ConnectError(
          `${named}; ${outcome.accepted} accepted, ${outcome.rejected.length} rejected`,
          Code.InvalidArgument,
          countHeaders(outcome),
        );
      }
      setCounts(ctx, outcome);
      return {};
    },

    queryEvents(req) {
      const query = req.query;
      if (query === undefined) {
        throw new ConnectError("query is required", Code.InvalidArgument);
      }
      return create(QueryEventsResponseSchema, { response: queryEvents(store.values(), query) });
    },
  };
}

/** The request index of the i-th event the service received. */
function requestIndex(call: IngestCall | undefined, i: number): number {
  return call?.indexes[i] ?? i;
}

/**
 * Events too large on their own to ever be accepted, refused alone so that a client resending
 * whole batches on any error does not resend them forever.
 */
function oversizeEvents(
  events: readonly Event[],
  call: IngestCall,
  maxBytes: number,
): RejectedEvent[] {
  const refused: RejectedEvent[] = [];
  for (const [i, event] of events.entries()) {
    const bytes = toBinary(
      IngestEventRequestSchema,
      create(IngestEventRequestSchema, { event }),
    ).byteLength;
    if (bytes <= maxBytes) continue;
    refused.push({
      index: requestIndex(call, i),
      eventId: event.eventId,
      field: "event",
      reason: `event of ${bytes} bytes is over the ${maxBytes}-byte limit on its own`,
    });
  }
  return refused;
}

/**
 * Partial accept: stores every valid event of `events` (once), refuses the others by
 * `checkEventRules` (the spec's rules) or because `refused` names them already, and leaves the
 * outcome, with the call's undecodable events, on `call`.
 */
function ingest(
  store: EventStore,
  events: readonly Event[],
  call: IngestCall | undefined,
  refused: readonly RejectedEvent[],
): IngestOutcome {
  const rejected: RejectedEvent[] = [...(call?.undecodable ?? []), ...refused];
  const refusedIndexes = new Set(refused.map((r) => r.index));
  const valid: Event[] = [];
  for (const [i, event] of events.entries()) {
    const index = requestIndex(call, i);
    if (refusedIndexes.has(index)) continue;
    const violation = checkEventRules(event);
    if (violation === undefined) valid.push(event);
    else rejected.push({ index, eventId: event.eventId, ...violationFields(violation) });
  }
  const { stored, duplicates } = store.add(valid);
  rejected.sort((a, b) => a.index - b.index);
  const outcome = { accepted: valid.length, rejected, stored, duplicates };
  if (call !== undefined) call.outcome = outcome;
  return outcome;
}

function violationFields(violation: EventRuleViolation): { field: string; reason: string } {
  return { field: violation.field, reason: violation.message };
}

function countHeaders(outcome: IngestOutcome): Headers {
  const counts = {
    accepted: outcome.accepted,
    rejected: outcome.rejected.length,
    stored: outcome.stored,
    duplicates: outcome.duplicates,
  };
  const headers = new Headers();
  for (const key of Object.keys(counts) as (keyof typeof counts)[]) {
    headers.set(INGEST_COUNT_METADATA_KEYS[key], String(counts[key]));
  }
  return headers;
}

function setCounts(ctx: HandlerContext, outcome: IngestOutcome): void {
  countHeaders(outcome).forEach((value, key) => {
    ctx.responseHeader.set(key, value);
  });
}
