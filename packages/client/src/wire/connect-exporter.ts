/** The default exporter: one `IngestEventBatch` call per batch over any Connect transport. */
import type { DescMethodUnary } from "@bufbuild/protobuf";
import { ChaukasClientService, type IngestEventBatchResponseSchema } from "@chaukas/spec/client/v1";
import type { EventBatch } from "@chaukas/spec/common/v1";
import { createContextValues, type Transport } from "@connectrpc/connect";
import { PreEncodedIngestEventBatchRequestSchema } from "../gen/chaukas/client/v1/pre_encoded_batch_pb.js";
import { ChaukasValidationError } from "../validation/validation-error.js";
import { callDeadlineOf } from "./call-deadline.js";
import {
  freezeSealedBatch,
  freezesWhereItExposesEvents,
  preEncodedRequest,
} from "./encoded-batch.js";
import { eventEncoderOf } from "./event-encoder.js";
import type { EventExporter, ExportOptions } from "./exporter.js";
import { keepaliveContextKey } from "./keepalive.js";
import { checkRequestHeaders } from "./request-headers.js";

/**
 * `ChaukasClientService.IngestEventBatch` with our wire-identical request schema
 * (`PreEncodedIngestEventBatchRequest`: the batch's events as their encodings): the same
 * service and method, so the same URL path, and the same bytes on the wire.
 */
export const ingestPreEncodedEventBatch: DescMethodUnary<
  typeof PreEncodedIngestEventBatchRequestSchema,
  typeof IngestEventBatchResponseSchema
> = {
  ...ChaukasClientService.method.ingestEventBatch,
  input: PreEncodedIngestEventBatchRequestSchema,
};

/** Options of `createConnectExporter`. */
export interface ConnectExporterOptions {
  /**
   * Deadline of each export call, in ms: sent with the call (`grpc-timeout` /
   * `connect-timeout-ms`) so the server stops work the client gave up on, enforced by connect on
   * the client, and the batch processor cuts the attempt at the same moment (it is the
   * exporter's `timeoutMs`). Default: the transport's `timeoutMs` (`createNodeTransport`:
   * `NODE_TRANSPORT_DEFAULTS.timeoutMs`, `createWebTransport`: `WEB_TRANSPORT_DEFAULTS.timeoutMs`);
   * for a transport that tells none, the transport's own default applies to the call and the
   * processor cuts it at `PROCESSOR_DEFAULTS.exportTimeoutMs`.
   */
  readonly timeoutMs?: number;
  /**
   * Extra request headers, e.g. an API key, checked when the exporter is created
   * (`checkRequestHeaders`: no CR, LF or NUL). Default: none. Never logged by the SDK.
   */
  readonly headers?: HeadersInit;
}

/**
 * The default exporter: one `ChaukasClientService.IngestEventBatch` call per batch over any
 * Connect transport (gRPC, gRPC-web or Connect; Node, browsers or edge runtimes). A failed call
 * rejects with the transport's `ConnectError` unchanged, so the processor can classify it.
 *
 * What interceptors see as `req.message`:
 * - on binary transports (gRPC, gRPC-web, Connect with `application/proto`), from the second
 *   call on, a `PreEncodedIngestEventBatchRequest` (`req.method.input` is its schema, from
 *   `@chaukas/client`): `eventBatch.events` holds each event's encoding (read one with
 *   `fromBinary(EventSchema, bytes)`); the bytes on the wire are exactly those of the spec's
 *   `IngestEventBatchRequest`;
 * - on JSON transports, for the first call, and for a batch an exporter built itself: the spec's
 *   `IngestEventBatchRequest`.
 * A `Transport` does not tell its format, so it is learned from the first response's
 * content type; the first batch goes as the spec's message, which works in either format.
 * The events in the spec's message are frozen: an interceptor that edits one in place throws.
 */
export function createConnectExporter(
  transport: Transport,
  options: ConnectExporterOptions = {},
): EventExporter {
  const headers = checkRequestHeaders("headers", options.headers);
  const timeoutMs = options.timeoutMs ?? callDeadlineOf(transport);
  if (timeoutMs !== undefined && !(typeof timeoutMs === "number" && timeoutMs > 0)) {
    throw new ChaukasValidationError("timeoutMs", "expected a number > 0");
  }
  const encodeEvents = eventEncoderOf(transport);
  /** Learned from the first successful response; undefined until then. */
  let binaryFormat: boolean | undefined;
  const exporter: EventExporter = {
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(encodeEvents === undefined ? {} : { encodeEvents }),
    async export(eventBatch: EventBatch, { signal, keepalive }: ExportOptions): Promise<void> {
      const contextValues = keepalive
        ? createContextValues().set(keepaliveContextKey, true)
        : undefined;
      const preEncoded = binaryFormat ? preEncodedRequest(eventBatch) : undefined;
      const response = preEncoded
        ? await transport.unary(
            ingestPreEncodedEventBatch,
            signal,
            timeoutMs,
            headers,
            preEncoded,
            contextValues,
          )
        : await transport.unary(
            ChaukasClientService.method.ingestEventBatch,
            signal,
            timeoutMs,
            headers,
            // Interceptors see the events here, and a later attempt may send their encodings.
            { eventBatch: freezeSealedBatch(eventBatch) },
            contextValues,
          );
      const type = response.header.get("content-type");
      binaryFormat ??= type !== null && !type.includes("json");
    },
  };
  return freezesWhereItExposesEvents(exporter);
}
