import { ChaukasClientService } from "@chaukas/spec/client/v1";
import type { EventBatch } from "@chaukas/spec/common/v1";
import {
  type CallOptions,
  type Client,
  createClient,
  createContextValues,
  type Transport,
} from "@connectrpc/connect";
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
 */
export function createConnectExporter(
  transport: Transport,
  options: ConnectExporterOptions = {},
): EventExporter {
  const client: Client<typeof ChaukasClientService> = createClient(ChaukasClientService, transport);
  return {
    async export(batch: EventBatch, exportOptions: ExportOptions): Promise<void> {
      const call: CallOptions = { signal: exportOptions.signal };
      if (options.timeoutMs !== undefined) {
        call.timeoutMs = options.timeoutMs;
      }
      if (options.headers !== undefined) {
        call.headers = options.headers;
      }
      if (exportOptions.keepalive === true) {
        call.contextValues = createContextValues().set(keepaliveContextKey, true);
      }
      await client.ingestEventBatch({ eventBatch: batch }, call);
    },
  };
}
