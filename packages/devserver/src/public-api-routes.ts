import { create, type JsonObject } from "@bufbuild/protobuf";
import {
  eventFromPublicJson,
  fromPublicJson,
  PUBLIC_API_PATHS,
  readPublicEventBatch,
  toPublicJson,
} from "@chaukas/client/rest";
import { ChaukasClientService } from "@chaukas/spec/client/v1";
import {
  CapabilitiesSchema,
  type EventBatch,
  QueryRequestSchema,
  QueryResponseSchema,
} from "@chaukas/spec/common/v1";
import { ConnectError } from "@connectrpc/connect";
import { errorAnswer, type HttpAnswer, parseJsonBody, passedOnHeaders } from "./http-exchange.js";
import { type HttpRoute, ingestResultBody, type RouteRequest } from "./http-route.js";
import type { IngestCall, RejectedEvent } from "./ingest-call.js";
import type { RpcHandler } from "./rpc-handler.js";

const JSON_ONLY = ["application/json"] as const;
const methods = ChaukasClientService.method;

/**
 * The public REST API of `openapi-public.yaml`, JSON in and out, each route a call of the same
 * RPC (and so the same auth, faults, limits, storage and log) through `rpc.call`:
 * - `/v1/events`: 202 with the ingest result; an invalid event is 400 naming the field;
 * - `/v1/events/batch`: 202 whenever the batch could be read, the valid events stored and the
 *   others named in the body (`rejected`); 413 with `reason: "batch-too-large"` to split;
 * - `/v1/query`: the same filters, paging and order as `QueryEvents`.
 */
export function createPublicApiRoutes(rpc: RpcHandler): HttpRoute[] {
  return [
    {
      method: "GET",
      path: PUBLIC_API_PATHS.healthz,
      accepts: [],
      summary: "public REST API: liveness",
      async handle(request) {
        await rpc.call(methods.healthz, create(methods.healthz.input), request);
        return { status: 200, body: { status: "ok" } };
      },
    },
    {
      method: "GET",
      path: PUBLIC_API_PATHS.capabilities,
      accepts: [],
      summary: "public REST API: Capabilities",
      async handle(request) {
        const { message } = await rpc.call(
          methods.getCapabilities,
          create(methods.getCapabilities.input),
          request,
        );
        const capabilities = message.capabilities ?? create(CapabilitiesSchema);
        return { status: 200, body: toPublicJson(CapabilitiesSchema, capabilities) };
      },
    },
    {
      method: "POST",
      path: PUBLIC_API_PATHS.ingestEvent,
      accepts: JSON_ONLY,
      summary: "public REST API: one Event (JSON) → 202",
      async handle(request) {
        const event = eventFromPublicJson(parseJsonBody(request.body));
        const call = ingestCall(request, [], [0]);
        const answer = await ingest(() =>
          rpc.call(methods.ingestEvent, create(methods.ingestEvent.input, { event }), {
            ...request,
            ingestCall: call,
          }),
        );
        if (answer !== undefined) return answer;
        const [rejected] = call.outcome!.rejected;
        if (rejected !== undefined) {
          return {
            status: 400,
            body: {
              code: "invalid_argument",
              message: `${rejected.field}: ${rejected.reason}`,
              field: rejected.field,
            },
            logged: true,
          };
        }
        const body = ingestResultBody(call.outcome!, "") as unknown as JsonObject;
        return { status: 202, body, logged: true };
      },
    },
    {
      method: "POST",
      path: PUBLIC_API_PATHS.ingestEventBatch,
      accepts: JSON_ONLY,
      summary: "public REST API: an EventBatch (JSON) → 202, refused events named",
      async handle(request) {
        const { batch, invalid } = readPublicEventBatch(parseJsonBody(request.body));
        const undecodable = invalid.map(
          ({ index, eventId, error }): RejectedEvent => ({
            index,
            eventId,
            field: error.field,
            reason: reasonOf(error),
          }),
        );
        return ingestBatch(rpc, request, batch, undecodable, 202);
      },
    },
    {
      method: "POST",
      path: PUBLIC_API_PATHS.query,
      accepts: JSON_ONLY,
      summary: "public REST API: a QueryRequest (JSON) → QueryResponse",
      async handle(request) {
        const query = fromPublicJson(QueryRequestSchema, parseJsonBody(request.body));
        const { message } = await rpc.call(
          methods.queryEvents,
          create(methods.queryEvents.input, { query }),
          request,
        );
        const response = message.response ?? create(QueryResponseSchema);
        return { status: 200, body: toPublicJson(QueryResponseSchema, response) };
      },
    },
  ];
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
      methods.ingestEventBatch,
      create(methods.ingestEventBatch.input, { eventBatch: batch }),
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
