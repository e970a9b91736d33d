import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import {
  ChaukasClientService,
  type IngestEventBatchRequest,
  IngestEventBatchRequestSchema,
} from "@chaukas/spec/client/v1";
import type { Event } from "@chaukas/spec/common/v1";
import { type Client, createClient } from "@connectrpc/connect";
import { compressionGzip, createGrpcTransport } from "@connectrpc/connect-node";

/**
 * What a developer writes on the SDK's own stack without the SDK: a connect-es client on
 * connect-node's gRPC transport over HTTP/2, the spec's generated service, and nothing else —
 * no validation, queue, retries, redaction or loss accounting. The rows show it beside the SDK,
 * so the SDK's own cost and its stack's cost can be told apart.
 */
export function createBareConnectClient(
  baseUrl: string,
  { gzip = false, compressMinBytes = 0 }: { gzip?: boolean; compressMinBytes?: number } = {},
): Client<typeof ChaukasClientService> {
  return createClient(
    ChaukasClientService,
    createGrpcTransport({
      baseUrl,
      ...(gzip ? { sendCompression: compressionGzip } : {}),
      compressMinBytes,
    }),
  );
}

/** An `IngestEventBatch` request of `events`, made by protobuf-es `create`. */
export function batchRequest(events: Event[]): IngestEventBatchRequest {
  return create(IngestEventBatchRequestSchema, {
    eventBatch: { batchId: randomUUID(), timestamp: timestampNow(), events },
  });
}
