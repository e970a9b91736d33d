import type { DescMethodUnary } from "@bufbuild/protobuf";
import { BytesValueSchema } from "@bufbuild/protobuf/wkt";
import { ChaukasClientService, type IngestEventBatchResponseSchema } from "@chaukas/spec/client/v1";
import type { EventBatch } from "@chaukas/spec/common/v1";
import { createContextValues, type Transport } from "@connectrpc/connect";
import { encodedEventBatch } from "./encoded-batch.js";
import type { EventExporter, ExportOptions } from "./exporter.js";
import { keepaliveContextKey } from "./keepalive.js";

/** Options of `createConnectExporter`. */
export interface ConnectExporterOptions {
  /**
   * Deadline sent with each call (`grpc-timeout` / `connect-timeout-ms`), so the server stops
   * working on a call the client gave up on. Default: none; the batch processor's
   * `exportTimeoutMs` aborts late calls on the client side either way.
   */
  readonly timeoutMs?: number;
  /** Extra request headers, e.g. an API key. Default: none. Never logged by the SDK. */
  readonly headers?: HeadersInit;
}

/**
 * `IngestEventBatch` with the request's one field, `event_batch = 1`, as bytes: a bytes field and
 * an embedded message are the same on the wire (tag 1, length, payload), so sending
 * `BytesValue { value = <EventBatch bytes> }` is sending `IngestEventBatchRequest`. It lets the
 * batch the processor encoded from its events' encodings leave without a second encoding.
 */
const ingestEncodedBatch: DescMethodUnary<
  typeof BytesValueSchema,
  typeof IngestEventBatchResponseSchema
> = { ...ChaukasClientService.method.ingestEventBatch, input: BytesValueSchema };

/**
 * Whether a response's `content-type` says the transport speaks protobuf's binary format:
 * gRPC (`application/grpc`, `+proto`), gRPC-web and Connect (`application/proto`) do; their
 * JSON variants (`+json`, `application/json`) do not.
 */
function isBinaryContentType(contentType: string | null): boolean {
  return contentType !== null && contentType !== "" && !contentType.includes("json");
}

/**
 * The default exporter: one `ChaukasClientService.IngestEventBatch` call per batch over any
 * Connect transport (gRPC, gRPC-web or Connect; Node, browsers or edge runtimes). A failed call
 * rejects with the transport's `ConnectError` unchanged, so the processor can classify it.
 *
 * A `Transport` does not tell its format, so the first batch goes as a message; once a
 * response shows the binary format, the batches the processor already encoded are sent as
 * those bytes (identical on the wire). JSON transports always send messages.
 */
export function createConnectExporter(
  transport: Transport,
  options: ConnectExporterOptions = {},
): EventExporter {
  const method = ChaukasClientService.method.ingestEventBatch;
  /** Learned from the first successful response; undefined until then. */
  let binaryFormat: boolean | undefined;
  return {
    async export(batch: EventBatch, exportOptions: ExportOptions): Promise<void> {
      const contextValues =
        exportOptions.keepalive === true
          ? createContextValues().set(keepaliveContextKey, true)
          : undefined;
      const encoded = binaryFormat === true ? encodedEventBatch(batch) : undefined;
      if (encoded !== undefined) {
        await transport.unary(
          ingestEncodedBatch,
          exportOptions.signal,
          options.timeoutMs,
          options.headers,
          { value: encoded },
          contextValues,
        );
        return;
      }
      const response = await transport.unary(
        method,
        exportOptions.signal,
        options.timeoutMs,
        options.headers,
        { eventBatch: batch },
        contextValues,
      );
      binaryFormat ??= isBinaryContentType(response.header.get("content-type"));
    },
  };
}
