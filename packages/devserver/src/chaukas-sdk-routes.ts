import {
  type create,
  fromBinary,
  fromJson,
  type JsonObject,
  type JsonValue,
} from "@bufbuild/protobuf";
import {
  ChaukasClientService,
  IngestEventBatchRequestSchema,
  IngestEventRequestSchema,
} from "@chaukas/spec/client/v1";
import { type Event, EventBatchSchema, EventSchema } from "@chaukas/spec/common/v1";
import { type HttpAnswer, HttpRefusal, parseJsonBody } from "./http-exchange.js";
import { type HttpRoute, ingestResultBody, type RouteRequest } from "./http-route.js";
import type { RejectedEvent } from "./ingest-call.js";
import { ingest, ingestBatch, ingestCall } from "./public-api-routes.js";
import type { RpcHandler } from "./rpc-handler.js";

/** The paths chaukas-sdk (Python) 0.1.0 posts to, below its `CHAUKAS_ENDPOINT`. */
export const CHAUKAS_SDK_PATHS = {
  /** One `IngestEventRequest`: what the SDK sends when one event is queued. */
  ingestEvent: "/events",
  /** One `IngestEventBatchRequest`: what it sends for two or more. */
  ingestEventBatch: "/events/batch",
} as const;

/** Binary protobuf (what the SDK sends) and protobuf JSON of the same messages. */
const ACCEPTS = ["application/x-protobuf", "application/protobuf", "application/json"] as const;

/** Protobuf JSON as protobuf-es reads it: proto or JSON field names, unknown fields skipped. */
const JSON_READ = { ignoreUnknownFields: true } as const;

/**
 * The phrase chaukas-sdk 0.1.0 looks for in a 503 before it splits a batch in halves; any
 * other failure makes it keep the whole batch and resend it, with everything queued since,
 * on its next flush.
 */
export const CHAUKAS_SDK_SPLIT_PHRASE = "high memory usage";

/**
 * `POST /events` and `/events/batch` as chaukas-sdk 0.1.0 sends them: `IngestEventRequest` /
 * `IngestEventBatchRequest`, binary (`application/x-protobuf`) or protobuf JSON, with
 * `Authorization: Bearer`. That client resends a batch on any error status, so every request
 * it could have sent is answered 200, with the result as JSON: the valid events stored, the
 * invalid ones (and any too large on its own) named, never resent. A batch too large is 503
 * with the phrase the SDK splits on.
 */
export function createChaukasSdkRoutes(rpc: RpcHandler): HttpRoute[] {
  return [
    {
      method: "POST",
      path: CHAUKAS_SDK_PATHS.ingestEvent,
      accepts: ACCEPTS,
      summary: "chaukas-sdk: IngestEventRequest (protobuf or JSON) → 200",
      async handle(request) {
        const message =
          request.mediaType === "application/json"
            ? decode(() => fromJson(IngestEventRequestSchema, jsonOf(request), JSON_READ))
            : decode(() => fromBinary(IngestEventRequestSchema, request.body));
        const call = ingestCall(request, [], [0], true);
        const failed = await ingest(() =>
          rpc.call(ChaukasClientService.method.ingestEvent, message, {
            ...request,
            ingestCall: call,
          }),
        );
        if (failed !== undefined) return splitSignal(failed);
        const body = ingestResultBody(call.outcome!, "") as unknown as JsonObject;
        return { status: 200, body, logged: true };
      },
    },
    {
      method: "POST",
      path: CHAUKAS_SDK_PATHS.ingestEventBatch,
      accepts: ACCEPTS,
      summary:
        "chaukas-sdk: IngestEventBatchRequest (protobuf or JSON) → 200, refused events named",
      async handle(request) {
        const { batch, undecodable } =
          request.mediaType === "application/json"
            ? batchFromJson(request)
            : {
                batch: decode(() => fromBinary(IngestEventBatchRequestSchema, request.body))
                  .eventBatch,
                undecodable: [],
              };
        if (batch === undefined) {
          throw new HttpRefusal(400, {
            code: "invalid_argument",
            message: "event_batch is required",
            field: "event_batch",
          });
        }
        return ingestBatch(rpc, request, batch, undecodable, 200, {
          rejectOversizeEvents: true,
          onError: splitSignal,
        });
      },
    },
  ];
}

/** A batch too large as chaukas-sdk understands it: 503 with the phrase it splits on. */
function splitSignal(answer: HttpAnswer): HttpAnswer {
  const body = answer.body as { reason?: string; message?: string };
  if (answer.status !== 413 || body.reason === undefined) return answer;
  return {
    ...answer,
    status: 503,
    body: { ...body, message: `batch too large (${CHAUKAS_SDK_SPLIT_PHRASE}): ${body.message}` },
  };
}

function jsonOf(request: RouteRequest): JsonValue {
  return parseJsonBody(request.body) as JsonValue;
}

/** Decodes a request message; one that does not decode is the client's error (400). */
function decode<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof HttpRefusal) throw error;
    throw new HttpRefusal(400, {
      code: "invalid_argument",
      message: `the body is not the route's request message: ${(error as Error).message}`,
    });
  }
}

/**
 * A protobuf-JSON `IngestEventBatchRequest` read event by event, so that one event that does not
 * decode is refused alone, as in a batch of the public REST API.
 */
function batchFromJson(request: RouteRequest): {
  batch: ReturnType<typeof create<typeof EventBatchSchema>> | undefined;
  undecodable: RejectedEvent[];
} {
  const json = jsonOf(request) as { event_batch?: unknown; eventBatch?: unknown } | null;
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new HttpRefusal(400, {
      code: "invalid_argument",
      message: "the body is not a JSON object",
    });
  }
  const rawBatch = json.event_batch ?? json.eventBatch;
  if (rawBatch === undefined || rawBatch === null) return { batch: undefined, undecodable: [] };
  const { events: rawEvents, ...rest } = rawBatch as { events?: unknown };
  const batch = decode(() => fromJson(EventBatchSchema, rest as JsonValue, JSON_READ));
  if (rawEvents === undefined || rawEvents === null) return { batch, undecodable: [] };
  if (!Array.isArray(rawEvents)) {
    throw new HttpRefusal(400, {
      code: "invalid_argument",
      message: "event_batch.events is not a list",
      field: "event_batch.events",
    });
  }
  const undecodable: RejectedEvent[] = [];
  for (const [index, item] of rawEvents.entries()) {
    try {
      batch.events.push(fromJson(EventSchema, item as JsonValue, JSON_READ) as Event);
    } catch (error) {
      const id = (item as { event_id?: unknown; eventId?: unknown } | null) ?? {};
      const eventId = id.event_id ?? id.eventId;
      undecodable.push({
        index,
        eventId: typeof eventId === "string" ? eventId : "",
        field: "event",
        reason: (error as Error).message,
      });
    }
  }
  return { batch, undecodable };
}
