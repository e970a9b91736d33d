import { fileURLToPath } from "node:url";
import { fromBinary } from "@bufbuild/protobuf";
import { IngestEventBatchRequestSchema } from "@chaukas/spec/client/v1";
import type { Event } from "@chaukas/spec/common/v1";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import type { SelfSignedCert } from "./self-signed-cert.js";

const PROTO_ROOT = fileURLToPath(new URL("../../../../proto/", import.meta.url));

/** Options of `startGrpcJsBackend`. */
export interface GrpcJsBackendOptions {
  /** Serve TLS with this certificate instead of plaintext h2c. */
  readonly tls?: SelfSignedCert;
  /** Require `authorization: Bearer <apiKey>`; others get UNAUTHENTICATED. */
  readonly apiKey?: string;
}

/** An independent ChaukasClientService: `@grpc/grpc-js` with `proto/` loaded by proto-loader. */
export interface GrpcJsBackend {
  readonly url: string;
  /**
   * Every accepted event, as protobuf.js decoded it and then re-encoded it, read back with
   * protobuf-es: a field protobuf.js did not understand would be missing here.
   */
  readonly events: Event[];
  /** Every decoded request as protobuf.js sees it (proto field names, enum names). */
  readonly rawRequests: Record<string, unknown>[];
  /** IngestEventBatch calls received, accepted or refused. */
  ingestCalls: number;
  close(): Promise<void>;
}

export async function startGrpcJsBackend(
  options: GrpcJsBackendOptions = {},
): Promise<GrpcJsBackend> {
  const definition = protoLoader.loadSync("chaukas/spec/client/v1/client.proto", {
    includeDirs: [PROTO_ROOT],
    keepCase: true,
    enums: String,
    longs: String,
    defaults: false,
    oneofs: true,
  });
  const serviceDefinition = definition[
    "chaukas.spec.client.v1.ChaukasClientService"
  ] as grpc.ServiceDefinition;
  const ingest = serviceDefinition.IngestEventBatch as grpc.MethodDefinition<object, object>;

  const backend: GrpcJsBackend = {
    url: "",
    events: [],
    rawRequests: [],
    ingestCalls: 0,
    close: async () => {},
  };
  const authorized = (call: grpc.ServerUnaryCall<unknown, unknown>) =>
    options.apiKey === undefined ||
    call.metadata.get("authorization")[0] === `Bearer ${options.apiKey}`;
  const unauthenticated = { code: grpc.status.UNAUTHENTICATED, details: "invalid API key" };

  const server = new grpc.Server();
  server.addService(serviceDefinition, {
    Healthz: (
      call: grpc.ServerUnaryCall<unknown, unknown>,
      callback: grpc.sendUnaryData<object>,
    ) => (authorized(call) ? callback(null, {}) : callback(unauthenticated)),
    GetCapabilities: (_call: unknown, callback: grpc.sendUnaryData<object>) =>
      callback(null, { capabilities: {} }),
    IngestEvent: (_call: unknown, callback: grpc.sendUnaryData<object>) =>
      callback({ code: grpc.status.UNIMPLEMENTED }),
    QueryEvents: (_call: unknown, callback: grpc.sendUnaryData<object>) =>
      callback({ code: grpc.status.UNIMPLEMENTED }),
    IngestEventBatch: (
      call: grpc.ServerUnaryCall<Record<string, unknown>, object>,
      callback: grpc.sendUnaryData<object>,
    ) => {
      backend.ingestCalls++;
      if (!authorized(call)) {
        callback(unauthenticated);
        return;
      }
      backend.rawRequests.push(call.request);
      const reencoded = ingest.requestSerialize(call.request);
      const request = fromBinary(IngestEventBatchRequestSchema, reencoded);
      backend.events.push(...(request.eventBatch?.events ?? []));
      callback(null, {});
    },
  });

  const credentials =
    options.tls === undefined
      ? grpc.ServerCredentials.createInsecure()
      : grpc.ServerCredentials.createSsl(
          null,
          [
            {
              cert_chain: Buffer.from(options.tls.cert),
              private_key: Buffer.from(options.tls.key),
            },
          ],
          false,
        );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", credentials, (error, boundPort) =>
      error === null ? resolve(boundPort) : reject(error),
    ),
  );
  const scheme = options.tls === undefined ? "http" : "https";
  // The certificate names localhost; connect to that name so verification can succeed.
  const host = options.tls === undefined ? "127.0.0.1" : "localhost";
  return Object.assign(backend, {
    url: `${scheme}://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Streams of an aborted test must not hold the shutdown forever.
        setTimeout(() => server.forceShutdown(), 1000).unref();
      }),
  });
}
