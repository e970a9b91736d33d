// The relay's Connect and gRPC-web RPCs, served with connect-es's own router.

import { type DescMessage, fromBinary } from "@bufbuild/protobuf";
import { ChaukasClientService } from "@chaukas/spec/client/v1";
import {
  Code,
  ConnectError,
  createConnectRouter,
  createContextValues,
  type HandlerContext,
} from "@connectrpc/connect";
import type {
  UniversalHandler,
  UniversalServerRequest,
  UniversalServerResponse,
} from "@connectrpc/connect/protocol";
import { parseContentType } from "@connectrpc/connect/protocol-connect";
import type { ChaukasClient } from "../client.js";
import { ChaukasValidationError } from "../validation/validation-error.js";
import { boundedBody, checkDeclaredLength, isByteStream, readBody } from "./bounded-body.js";
import type { CallerBudgets } from "./caller-budgets.js";
import { authorizeCall } from "./relay-authorize.js";
import { RELAY_CALL, type RelayCall, rateLimitedError, refuse } from "./relay-call.js";
import type { RelayIngest } from "./relay-ingest.js";
import type { ChaukasRelayOptions, RelayErrorStep } from "./relay-options.js";
import { queryForCaller } from "./relay-query.js";

/** Events a refusal names at most; the counts headers carry the rest. */
const NAMED_REJECTIONS = 10;

/** What the relay's RPCs need. */
export interface RelayRpcOptions<Request> {
  readonly chaukas: Pick<ChaukasClient, "queryPage">;
  readonly authorize: ChaukasRelayOptions<Request>["authorize"];
  readonly report: (error: unknown, step: RelayErrorStep) => void;
  readonly ingest: RelayIngest;
  readonly budgets: CallerBudgets;
  readonly maxRequestBytes: number;
  readonly query: boolean;
}

/** The relay's RPCs. */
export interface RelayRpc {
  /** The RPC a request path ends with, under any prefix; undefined for other paths. */
  match(path: string): UniversalHandler | undefined;
  /** Answers `request` with `rpc`; the outcome is recorded on `call`. */
  handle(
    rpc: UniversalHandler,
    call: RelayCall<unknown>,
    request: UniversalServerRequest,
  ): Promise<UniversalServerResponse>;
}

/**
 * `ChaukasClientService.IngestEventBatch` (and `QueryEvents` with `query`) in the Connect
 * protocol, binary and JSON, as the browser client sends them, served by connect-es and decoded
 * with the spec's schemas. `authorize` runs in connect-es's request gate, before the body is
 * read; connect-es answers each refusal as the protocol says (Unauthenticated is HTTP 401,
 * ResourceExhausted 429 with its `retry-after`, PermissionDenied 403, InvalidArgument 400).
 */
export function createRelayRpc<Request>(options: RelayRpcOptions<Request>): RelayRpc {
  const { authorize, report, ingest, budgets, maxRequestBytes } = options;
  const callOf = (context: HandlerContext) => context.values.get(RELAY_CALL) as RelayCall<Request>;
  const router = createConnectRouter({
    // What the browser client sends by default. gRPC-web would need its envelopes read here
    // too (see `decodableBody`); a gRPC-web request is answered 415.
    grpc: false,
    grpcWeb: false,
    connect: true,
    readMaxBytes: maxRequestBytes,
    async requestGate(context) {
      const call = callOf(context);
      const grant = await authorizeCall(call, authorize, report);
      checkDeclaredLength(call, context.requestHeader, maxRequestBytes);
      call.grant = grant;
    },
  });
  router.rpc(ChaukasClientService.method.ingestEventBatch, (request, context) => {
    const call = callOf(context);
    call.decoded = true;
    const events = request.eventBatch?.events ?? [];
    let foreign: ReturnType<RelayIngest>;
    try {
      foreign = ingest(call, events);
    } catch (error) {
      if (error instanceof ChaukasValidationError) {
        throw new ConnectError(error.message, Code.InvalidArgument);
      }
      throw error;
    }
    const counts = {
      "chaukas-accepted-count": String(events.length - foreign.length),
      "chaukas-rejected-count": String(foreign.length),
    };
    if (foreign.length > 0) {
      // PermissionDenied is not retried: the same events would be rejected again. The others
      // of the batch were forwarded; the counts say how many.
      const named = foreign
        .slice(0, NAMED_REJECTIONS)
        .map((e) => `events[${e.index}] ${e.eventId}`);
      throw new ConnectError(
        `rejected ${foreign.length} event(s) of sessions this caller does not own: ${named.join(", ")}`,
        Code.PermissionDenied,
        counts,
      );
    }
    for (const [name, value] of Object.entries(counts)) context.responseHeader.set(name, value);
    return {};
  });
  if (options.query) {
    router.rpc(ChaukasClientService.method.queryEvents, async (request, context) => {
      const call = callOf(context);
      call.decoded = true;
      const retryAfterMs = budgets.take(call.grant!.callerKey, 1);
      if (retryAfterMs > 0) throw refuse(call, "rateLimited", rateLimitedError(retryAfterMs));
      const page = await queryForCaller(
        options.chaukas,
        call.grant!,
        request.query,
        context.signal,
        report,
      );
      return { response: page };
    });
  }
  const handlers = router.handlers;

  return {
    match: (path) => handlers.find((handler) => path.endsWith(handler.requestPath)),
    async handle(rpc, call, request) {
      const body = decodableBody(call, request, rpc.method.input, maxRequestBytes);
      const response = await rpc({
        ...request,
        body,
        contextValues: (request.contextValues ?? createContextValues()).set(RELAY_CALL, call),
      });
      // Authorized, yet neither decoded nor refused by the relay: connect-es refused the
      // request itself (a header it cannot use, JSON that is not the message), with a 4xx.
      if (call.grant !== undefined && !call.decoded && call.refusal === undefined) {
        call.refusal = "malformed";
      }
      return response;
    },
  };
}

/**
 * The request's body, read with the relay's bound and, for binary Connect, checked to decode as
 * the method's input. connect-es answers a binary body that protobuf-es cannot read with
 * INTERNAL ("parse binary: …"), a code the browser client retries for a minute; the relay
 * answers INVALID_ARGUMENT, which it does not retry. connect-es decodes the same bytes again:
 * the one way to keep its protocol handling without its code for this error. JSON bodies need
 * no check (connect-es answers INVALID_ARGUMENT itself), and the body is read only once
 * connect-es asks for it, after the request gate.
 */
function decodableBody(
  call: RelayCall<unknown>,
  request: UniversalServerRequest,
  input: DescMessage,
  maxBytes: number,
): UniversalServerRequest["body"] {
  const body = boundedBody(call, request.body, maxBytes);
  const binary = parseContentType(request.header.get("content-type"))?.binary === true;
  if (!binary || !isByteStream(body)) return body;
  return {
    async *[Symbol.asyncIterator]() {
      const bytes = await readBody(body);
      try {
        fromBinary(input, bytes);
      } catch (error) {
        throw refuse(
          call,
          "malformed",
          new ConnectError(
            `cannot decode the request as ${input.typeName}: ${String(error)}`,
            Code.InvalidArgument,
          ),
        );
      }
      yield bytes;
    },
  };
}
