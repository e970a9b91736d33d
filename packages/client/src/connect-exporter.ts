import { ChaukasClientService } from "@chaukas/spec/client/v1";
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
 * The default exporter: one `ChaukasClientService.IngestEventBatch` call per batch over any
 * Connect transport (gRPC, gRPC-web or Connect; Node, browsers or edge runtimes). A failed call
 * rejects with the transport's `ConnectError` unchanged, so the processor can classify it.
 *
 * A `Transport` does not tell its format, so the first batch goes as a message; once a
 * response shows the binary format (gRPC, `+proto`, `application/proto`: no `json`), the
 * batches the processor already encoded go as those bytes: an `IngestEventBatchRequest` whose
 * `event_batch` field (1) is an unknown field holding them, which protobuf-es writes as it is,
 * so the wire is identical. (A transport told `binaryOptions: { writeUnknownFields: false }`
 * would drop it: leave that option at its default.) JSON transports always send messages.
 */
export function createConnectExporter(
  transport: Transport,
  options: ConnectExporterOptions = {},
): EventExporter {
  const method = ChaukasClientService.method.ingestEventBatch;
  /** Learned from the first successful response; undefined until then. */
  let binaryFormat: boolean | undefined;
  return {
    async export(eventBatch: EventBatch, { signal, keepalive }: ExportOptions): Promise<void> {
      const data = binaryFormat && encodedEventBatch(eventBatch);
      const response = await transport.unary(
        method,
        signal,
        options.timeoutMs,
        options.headers,
        data
          ? {
              $typeName: method.input.typeName,
              $unknown: [{ no: 1, wireType: 2 /* LengthDelimited */, data }],
            }
          : { eventBatch },
        keepalive ? createContextValues().set(keepaliveContextKey, true) : undefined,
      );
      const type = response.header.get("content-type");
      binaryFormat ??= !!type && !type.includes("json");
    },
  };
}
