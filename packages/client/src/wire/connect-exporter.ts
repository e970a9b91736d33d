/** The default exporter: one `IngestEventBatch` call per batch over any Connect transport. */
import type { DescMethodUnary } from "@bufbuild/protobuf";
import { ChaukasClientService, type IngestEventBatchResponseSchema } from "@chaukas/spec/client/v1";
import type { EventBatch } from "@chaukas/spec/common/v1";
import { createContextValues, type Transport } from "@connectrpc/connect";
import { PreEncodedIngestEventBatchRequestSchema } from "../gen/chaukas/client/v1/pre_encoded_batch_pb.js";
import {
  freezeSealedBatch,
  freezesWhereItExposesEvents,
  preEncodedRequest,
} from "./encoded-batch.js";
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
   * Deadline sent with each call (`grpc-timeout` / `connect-timeout-ms`), so the server stops
   * working on a call the client gave up on. Default: none; the batch processor's
   * `exportTimeoutMs` aborts late calls on the client side either way.
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
  /** Learned from the first successful response; undefined until then. */
  let binaryFormat: boolean | undefined;
  const exporter: EventExporter = {
    async export(eventBatch: EventBatch, { signal, keepalive }: ExportOptions): Promise<void> {
      const contextValues = keepalive
        ? createContextValues().set(keepaliveContextKey, true)
        : undefined;
      const preEncoded = binaryFormat ? preEncodedRequest(eventBatch) : undefined;
      const response = preEncoded
        ? await transport.unary(
            ingestPreEncodedEventBatch,
            signal,
            options.timeoutMs,
            headers,
            preEncoded,
            contextValues,
          )
        : await transport.unary(
            ChaukasClientService.method.ingestEventBatch,
            signal,
            options.timeoutMs,
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
