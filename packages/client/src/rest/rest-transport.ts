// `createRestTransport`: a Connect `Transport` that speaks the public REST API.

import {
  create,
  type DescMessage,
  type DescMethodStreaming,
  type DescMethodUnary,
  fromBinary,
  type JsonObject,
  type Message,
  type MessageInitShape,
  type MessageShape,
  toBinary,
} from "@bufbuild/protobuf";
import {
  ChaukasClientService,
  IngestEventBatchRequestSchema,
  IngestEventRequestSchema,
  QueryEventsRequestSchema,
} from "@chaukas/spec/client/v1";
import {
  CapabilitiesSchema,
  EventBatchSchema,
  EventSchema,
  QueryRequestSchema,
  QueryResponseSchema,
} from "@chaukas/spec/common/v1";
import {
  Code,
  ConnectError,
  type ContextValues,
  createContextValues,
  type Interceptor,
  type StreamResponse,
  type Transport,
  type UnaryRequest,
  type UnaryResponse,
} from "@connectrpc/connect";
import { runUnaryCall } from "@connectrpc/connect/protocol";
import { ChaukasValidationError } from "../validation/validation-error.js";
import { PUBLIC_API_PATHS, readPublicIngestResult } from "./public-api.js";
import { fromPublicJson, toPublicJson } from "./public-json.js";
import { errorFromRestAnswer, partialAcceptanceError } from "./rest-error.js";

/** Options of `createRestTransport`. */
export interface RestTransportOptions {
  /** The backend's base URL; the API's paths (`/v1/events/batch`, …) are appended. Required. */
  readonly baseUrl: string;
  /** Deadline of a call that sets none, in ms (connect's `defaultTimeoutMs`). Default: none. */
  readonly defaultTimeoutMs?: number;
  /** Connect interceptors, outermost first (auth and headers: `createRequestHeaderInterceptors`). Default: none. */
  readonly interceptors?: readonly Interceptor[];
  /** The fetch to call. Default: `globalThis.fetch`, looked up per call. */
  readonly fetch?: typeof globalThis.fetch;
  /** Largest response body read, in bytes; a longer one fails the call. Default: 64 MiB. */
  readonly readMaxBytes?: number;
}

/** The defaults of `RestTransportOptions`. */
export const REST_TRANSPORT_DEFAULTS = {
  readMaxBytes: 64 * 1024 * 1024,
} as const satisfies Partial<RestTransportOptions>;

/** What the route of one `ChaukasClientService` method sends and how it reads the answer. */
interface RestRoute {
  readonly httpMethod: "GET" | "POST";
  readonly path: string;
  /** The JSON body of the request; none for GET. */
  readonly body?: (request: Message, input: DescMessage) => JsonObject;
  /** The method's response message from the answer's JSON (undefined: no JSON body). */
  readonly read: (json: unknown, header: Headers) => MessageInitShape<DescMessage>;
}

/** `ChaukasClientService`'s methods on the public REST API (`openapi-public.yaml`). */
const ROUTES: Readonly<Record<string, RestRoute>> = {
  [ChaukasClientService.method.healthz.name]: {
    httpMethod: "GET",
    path: PUBLIC_API_PATHS.healthz,
    read: () => ({}),
  },
  [ChaukasClientService.method.getCapabilities.name]: {
    httpMethod: "GET",
    path: PUBLIC_API_PATHS.capabilities,
    read: (json) => ({ capabilities: fromPublicJson(CapabilitiesSchema, jsonBody(json)) }),
  },
  [ChaukasClientService.method.ingestEvent.name]: {
    httpMethod: "POST",
    path: PUBLIC_API_PATHS.ingestEvent,
    body: (request, input) =>
      toPublicJson(
        EventSchema,
        asSpecRequest(IngestEventRequestSchema, request, input).event ?? create(EventSchema),
      ),
    read: readIngestAnswer,
  },
  [ChaukasClientService.method.ingestEventBatch.name]: {
    httpMethod: "POST",
    path: PUBLIC_API_PATHS.ingestEventBatch,
    body: (request, input) =>
      toPublicJson(
        EventBatchSchema,
        asSpecRequest(IngestEventBatchRequestSchema, request, input).eventBatch ??
          create(EventBatchSchema),
      ),
    read: readIngestAnswer,
  },
  [ChaukasClientService.method.queryEvents.name]: {
    httpMethod: "POST",
    path: PUBLIC_API_PATHS.query,
    body: (request, input) =>
      toPublicJson(
        QueryRequestSchema,
        asSpecRequest(QueryEventsRequestSchema, request, input).query ?? create(QueryRequestSchema),
      ),
    read: (json) => ({ response: fromPublicJson(QueryResponseSchema, jsonBody(json)) }),
  },
};

/**
 * A Connect `Transport` that speaks the spec's public REST API (`openapi-public.yaml`) over
 * fetch, for backends that serve only that: `IngestEventBatch` is `POST /v1/events/batch`,
 * `QueryEvents` `POST /v1/query`, `IngestEvent` `POST /v1/events`, `GetCapabilities`
 * `GET /v1/capabilities`, `Healthz` `GET /healthz`, with the JSON of `@chaukas/client/rest`.
 * Because it is a transport, everything else stays as on Connect: the client's exporter,
 * batching, retries, outbox, loss accounting and `beforeSend`, and interceptors (auth). Errors
 * are `ConnectError`s the client already understands:
 * - an error status becomes the code its body names (`{ "code": "invalid_argument" }`) or the
 *   status's (`codeFromHttpStatus`), with the response headers as metadata (`retry-after`);
 * - 413, or `reason: "batch-too-large"`, asks the client to split the batch;
 * - a 202 that names refused events fails with INVALID_ARGUMENT saying which, why, and how
 *   many were kept; the batch counts as failed, not retried, as on Connect;
 * - fetch failing (no connection) is UNAVAILABLE, and retried.
 * Other services and streaming calls fail with UNIMPLEMENTED. The API has no deadline header:
 * `timeoutMs` ends a call on the client side only.
 */
export function createRestTransport(options: RestTransportOptions): Transport {
  const baseUrl = checkBaseUrl(options.baseUrl);
  const readMaxBytes = options.readMaxBytes ?? REST_TRANSPORT_DEFAULTS.readMaxBytes;
  const interceptors = [...(options.interceptors ?? [])];

  async function send<I extends DescMessage, O extends DescMessage>(
    route: RestRoute,
    req: UnaryRequest<I, O>,
  ): Promise<UnaryResponse<I, O>> {
    const header = req.header;
    if (route.body !== undefined) header.set("content-type", "application/json");
    header.set("accept", "application/json");
    // Bytes, not a string: the web transport's fetch counts them against the keepalive budget.
    const body =
      route.body === undefined
        ? null
        : new TextEncoder().encode(JSON.stringify(route.body(req.message, req.method.input)));
    let response: Response;
    try {
      response = await (options.fetch ?? globalThis.fetch)(req.url, {
        method: req.requestMethod,
        headers: header,
        body,
        signal: req.signal,
        redirect: "error",
      });
    } catch (cause) {
      throw ConnectError.from(cause, Code.Unavailable);
    }
    const text = await readText(response, readMaxBytes);
    if (response.status < 200 || response.status > 299) {
      throw errorFromRestAnswer(response.status, response.headers, text);
    }
    let init: MessageInitShape<DescMessage>;
    try {
      // Only a JSON answer is read: a 202 or a health check may carry any text, or none.
      const isJson = /json/i.test(response.headers.get("content-type") ?? "");
      init = route.read(
        isJson && text.trim() !== "" ? JSON.parse(text) : undefined,
        response.headers,
      );
    } catch (cause) {
      if (cause instanceof ConnectError) throw cause;
      throw new ConnectError(
        `the backend's answer to ${route.httpMethod} ${route.path} is not what the public REST API defines: ${
          cause instanceof Error ? cause.message : String(cause)
        }`,
        Code.Internal,
        response.headers,
        undefined,
        cause,
      );
    }
    return {
      stream: false,
      service: req.service,
      method: req.method,
      header: response.headers,
      trailer: new Headers(),
      message: create(req.method.output, init as MessageInitShape<O>),
    };
  }

  return {
    async unary<I extends DescMessage, O extends DescMessage>(
      method: DescMethodUnary<I, O>,
      signal: AbortSignal | undefined,
      timeoutMs: number | undefined,
      header: HeadersInit | undefined,
      message: MessageInitShape<I>,
      contextValues?: ContextValues,
    ): Promise<UnaryResponse<I, O>> {
      const route =
        method.parent.typeName === ChaukasClientService.typeName ? ROUTES[method.name] : undefined;
      if (route === undefined) {
        throw new ConnectError(
          `the public REST API has no route for ${method.parent.typeName}.${method.name}`,
          Code.Unimplemented,
        );
      }
      const deadline =
        timeoutMs === undefined ? options.defaultTimeoutMs : timeoutMs <= 0 ? undefined : timeoutMs;
      return runUnaryCall<I, O>({
        interceptors,
        ...(signal === undefined ? {} : { signal }),
        ...(deadline === undefined ? {} : { timeoutMs: deadline }),
        req: {
          stream: false,
          service: method.parent,
          method,
          requestMethod: route.httpMethod,
          url: `${baseUrl}${route.path}`,
          header: new Headers(header),
          contextValues: contextValues ?? createContextValues(),
          message,
        },
        next: (req) => send(route, req),
      });
    },

    async stream<I extends DescMessage, O extends DescMessage>(
      method: DescMethodStreaming<I, O>,
    ): Promise<StreamResponse<I, O>> {
      throw new ConnectError(
        `the public REST API has no streaming calls (${method.parent.typeName}.${method.name})`,
        Code.Unimplemented,
      );
    },
  };
}

/**
 * The request as the spec's message. The client's exporter may send a wire-identical variant
 * (`PreEncodedIngestEventBatchRequest`, the events as their encodings) under the same method:
 * its bytes read back as the spec's request.
 */
function asSpecRequest<Desc extends DescMessage>(
  schema: Desc,
  request: Message,
  input: DescMessage,
): MessageShape<Desc> {
  if (request.$typeName === schema.typeName) return request as MessageShape<Desc>;
  return fromBinary(schema, toBinary(input, request));
}

function jsonBody(json: unknown): unknown {
  if (json === undefined) throw new Error("expected a JSON body (application/json)");
  return json;
}

/** A 202 (or 200) to an ingest: a body naming refused events fails the call; none accepts all. */
function readIngestAnswer(json: unknown, header: Headers): MessageInitShape<DescMessage> {
  if (json === undefined) return {};
  const result = readPublicIngestResult(json);
  if (result.rejected_count > 0 || result.rejected.length > 0) {
    throw partialAcceptanceError(result, header);
  }
  return {};
}

/** The body as text, refusing more than `maxBytes` (a misbehaving backend cannot exhaust memory). */
async function readText(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get("content-length"));
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLong(maxBytes);
  }
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > maxBytes) {
      await reader.cancel();
      throw tooLong(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

function tooLong(maxBytes: number): ConnectError {
  return new ConnectError(
    `the backend's answer is longer than readMaxBytes (${maxBytes} bytes)`,
    Code.ResourceExhausted,
  );
}

function checkBaseUrl(baseUrl: unknown): string {
  if (typeof baseUrl !== "string" || !/^https?:\/\/[^/]/i.test(baseUrl)) {
    throw new ChaukasValidationError(
      "baseUrl",
      "expected an absolute http:// or https:// URL such as http://127.0.0.1:50051",
    );
  }
  return baseUrl.replace(/\/+$/, "");
}
