import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

const PROTO_ROOT = fileURLToPath(new URL("../../../proto", import.meta.url));

/** The one RPC the hand-written baseline needs, as grpc-js exposes it. */
export interface HandWrittenIngestClient {
  ingestEventBatch(request: Record<string, unknown>): Promise<void>;
  close(): void;
}

/** `@grpc/proto-loader` over the spec's `proto/`: the service a hand-written client loads. */
function loadService(): grpc.ServiceClientConstructor {
  const definition = protoLoader.loadSync("chaukas/spec/client/v1/client.proto", {
    includeDirs: [PROTO_ROOT],
    keepCase: false,
    longs: String,
    enums: Number,
    defaults: false,
    oneofs: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    chaukas: { spec: { client: { v1: { ChaukasClientService: grpc.ServiceClientConstructor } } } };
  };
  return loaded.chaukas.spec.client.v1.ChaukasClientService;
}

/** Bytes of `request` as grpc-js serializes it (before compression). */
export function handWrittenRequestBytes(request: Record<string, unknown>): number {
  return loadService().service.IngestEventBatch!.requestSerialize(request).length;
}

/**
 * What a developer writes without an SDK: a grpc-js client on an insecure HTTP/2 channel, one
 * promise-wrapped call per batch; `gzip` compresses every call of the channel.
 */
export function createHandWrittenIngestClient(
  baseUrl: string,
  { gzip = false }: { gzip?: boolean } = {},
): HandWrittenIngestClient {
  const Service = loadService();
  const client = new Service(
    new URL(baseUrl).host,
    grpc.credentials.createInsecure(),
    gzip ? { "grpc.default_compression_algorithm": grpc.compressionAlgorithms.gzip } : {},
  );
  const call = client.IngestEventBatch!.bind(client) as (
    request: Record<string, unknown>,
    callback: (error: grpc.ServiceError | null) => void,
  ) => void;
  return {
    ingestEventBatch(request) {
      return new Promise((resolve, reject) => {
        call(request, (error) => (error === null ? resolve() : reject(error)));
      });
    },
    close() {
      client.close();
    },
  };
}
