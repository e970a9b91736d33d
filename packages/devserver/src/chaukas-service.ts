import { create, toBinary } from "@bufbuild/protobuf";
import { checkEventRules } from "@chaukas/client";
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
      store.noteReceived(1);
      const bytes = toBinary(IngestEventRequestSchema, req).byteLength;
      const maxBytes = limits.maxBatchBytes();
      if (bytes > maxBytes) {
        throw batchTooLargeError(`event of ${bytes} bytes is over the ${maxBytes}-byte limit`);
      }
      const violation = checkEventRules(event);
      if (violation !== undefined) {
        throw new ConnectError(
          `event.${violation.field} is invalid: ${violation.message}`,
          Code.InvalidArgument,
        );
      }
      const { stored, duplicates } = store.add([event]);
      setCounts(ctx, { accepted: 1, rejected: 0, stored, duplicates });
      return {};
    },

    ingestEventBatch(req, ctx) {
      const batch = req.eventBatch;
      if (batch === undefined) {
        throw new ConnectError("event_batch is required", Code.InvalidArgument);
      }
      const events = batch.events;
      store.noteReceived(events.length);
      if (events.length > limits.maxBatchEvents) {
        throw batchTooLargeError(
          `event_batch of ${events.length} events is over the ${limits.maxBatchEvents}-event limit`,
        );
      }
      const bytes = toBinary(IngestEventBatchRequestSchema, req).byteLength;
      const maxBytes = limits.maxBatchBytes();
      if (bytes > maxBytes) {
        throw batchTooLargeError(
          `event_batch of ${bytes} bytes is over the ${maxBytes}-byte limit`,
        );
      }

      // Partial accept: valid events are stored even when others are not.
      const valid: Event[] = [];
      let firstProblem: string | undefined;
      for (const [index, event] of events.entries()) {
        const violation = checkEventRules(event);
        if (violation === undefined) {
          valid.push(event);
        } else {
          firstProblem ??= `event_batch.events[${index}].${violation.field} (event_id ${JSON.stringify(
            event.eventId,
          )}) is invalid: ${violation.message}`;
        }
      }
      const { stored, duplicates } = store.add(valid);
      const counts = {
        accepted: valid.length,
        rejected: events.length - valid.length,
        stored,
        duplicates,
      };
      if (firstProblem !== undefined) {
        throw new ConnectError(
          `${firstProblem}; ${counts.accepted} accepted, ${counts.rejected} rejected`,
          Code.InvalidArgument,
          countHeaders(counts),
        );
      }
      setCounts(ctx, counts);
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

interface IngestCounts {
  accepted: number;
  rejected: number;
  stored: number;
  duplicates: number;
}

function countHeaders(counts: IngestCounts): Headers {
  const headers = new Headers();
  for (const key of Object.keys(counts) as (keyof IngestCounts)[]) {
    headers.set(INGEST_COUNT_METADATA_KEYS[key], String(counts[key]));
  }
  return headers;
}

function setCounts(ctx: HandlerContext, counts: IngestCounts): void {
  countHeaders(counts).forEach((value, key) => {
    ctx.responseHeader.set(key, value);
  });
}
