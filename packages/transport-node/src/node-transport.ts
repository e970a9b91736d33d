/** `createNodeTransport`: the Connect transport for Node (gRPC, Connect, gRPC-web or REST) with auth, TLS and one deadline. */
import {
  ChaukasValidationError,
  createRequestHeaderInterceptors,
  type TransportWithDeadline,
  type TransportWithEventEncoder,
  WIRE_PROTOCOLS,
  type WireProtocol,
  withCallDeadline,
  withEventEncoder,
} from "@chaukas/client";
import { encodeEventList } from "@chaukas/client/binary-encoding";
import { createRestTransport } from "@chaukas/client/rest";
import type { Interceptor, Transport } from "@connectrpc/connect";
import {
  compressionGzip,
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
  createNodeHttpClient,
} from "@connectrpc/connect-node";
import { createConnectionLossInterceptor } from "./connection-loss-interceptor.js";
import { createGuardedHttp2SessionManager } from "./guarded-http2-session-manager.js";
import { createNodeHttpFetch } from "./node-http-fetch.js";

/** The wire protocols Node speaks to a Chaukas backend: all of them (`WIRE_PROTOCOLS`), REST included. */
export type NodeTransportProtocol = WireProtocol;

/** TLS settings, used when `baseUrl` is `https:`. */
export interface NodeTransportTlsOptions {
  /** PEM certificate(s) of the authorities to trust instead of Node's bundled roots. Default: Node's roots. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** PEM client certificate for mutual TLS. Default: none. */
  readonly cert?: string | Buffer;
  /** PEM private key of `cert`. Default: none. */
  readonly key?: string | Buffer;
  /** Refuse servers whose certificate does not verify. Default: `true`. */
  readonly rejectUnauthorized?: boolean;
}

/** HTTP/2 connection upkeep (protocol `grpc`, or `httpVersion: "2"`). */
export interface NodeTransportKeepAliveOptions {
  /** Send a PING after this long without data on an open stream, and before reusing a connection idle this long. Default: 60000. */
  readonly pingIntervalMs?: number;
  /** Consider the connection dead if a PING is not answered within this. Default: 15000. */
  readonly pingTimeoutMs?: number;
  /** Close a connection that carried no request for this long. Default: 900000 (15 min). */
  readonly idleTimeoutMs?: number;
}

/** Options of `createNodeTransport`. */
export interface NodeTransportOptions {
  /** The backend's base URL, e.g. `http://localhost:50051`; `https:` enables TLS. Required. */
  readonly baseUrl: string;
  /**
   * Wire protocol: `"grpc"` (always HTTP/2), `"connect"`, `"grpc-web"`, or `"rest"` (the spec's
   * public REST API, JSON: for backends that serve only that). Default: `"grpc"`.
   */
  readonly protocol?: NodeTransportProtocol;
  /** HTTP version for `"connect"`, `"grpc-web"` and `"rest"` (`"grpc"` is always `"2"`). Default: `"1.1"`. */
  readonly httpVersion?: "1.1" | "2";
  /** Sent as `authorization: Bearer <apiKey>`; never logged or serialized. Default: none. */
  readonly apiKey?: string;
  /** Extra headers on every call. Default: none. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Deadline of each call in milliseconds, exports and queries alike: sent to the server, enforced
   * on the client, and the client's batch processor cuts an export attempt at the same moment.
   * The one export deadline (the client's `exportTimeoutMs` is a deprecated alias). Default: 10000.
   */
  readonly timeoutMs?: number;
  /** TLS settings for `https:` URLs. Default: Node's trusted roots, verification on. */
  readonly tls?: NodeTransportTlsOptions;
  /** HTTP/2 keep-alive. Default: see `NODE_TRANSPORT_DEFAULTS.keepAlive`. */
  readonly keepAlive?: NodeTransportKeepAliveOptions;
  /** Request compression; only messages of at least `compressMinBytes` are compressed. Default: `"gzip"`. */
  readonly compression?: "gzip" | "none";
  /** Smallest message worth compressing, in bytes. Default: 1024. */
  readonly compressMinBytes?: number;
  /** Interceptors run after the SDK's own (auth, headers). Default: none. */
  readonly interceptors?: readonly Interceptor[];
}

/** The defaults of `NodeTransportOptions`, in one place so documentation cannot drift. */
export const NODE_TRANSPORT_DEFAULTS = {
  protocol: "grpc",
  httpVersion: "1.1",
  // The OTLP exporters' default per-export timeout.
  timeoutMs: 10_000,
  keepAlive: {
    pingIntervalMs: 60_000,
    pingTimeoutMs: 15_000,
    // connect-node's and gRPC Core's client idle timeout.
    idleTimeoutMs: 900_000,
  },
  compression: "gzip",
  // connect-node's default: below 1 KiB the CPU cost outweighs the bytes saved.
  compressMinBytes: 1024,
} as const satisfies Omit<
  Required<NodeTransportOptions>,
  "baseUrl" | "apiKey" | "headers" | "tls" | "interceptors"
> & {
  keepAlive: Required<NodeTransportKeepAliveOptions>;
};

/**
 * A Connect `Transport` for Node on `@connectrpc/connect-node`: gRPC over HTTP/2 by default,
 * or Connect / gRPC-web over HTTP/1.1 or HTTP/2, with bearer auth, TLS, keep-alive and gzip.
 * Idle connections do not keep the process alive. Protocol `"rest"` is `createRestTransport`
 * (`@chaukas/client/rest`) on connect-node's HTTP client, with the same auth, headers,
 * interceptors, deadline, TLS and HTTP version; its JSON bodies are not compressed.
 * It carries the generated event encoder (`@chaukas/client/binary-encoding`), which the Connect
 * exporter uses as its `encodeEvents`.
 */
export function createNodeTransport(
  options: NodeTransportOptions,
): TransportWithDeadline & TransportWithEventEncoder {
  const protocol = options.protocol ?? NODE_TRANSPORT_DEFAULTS.protocol;
  if (!WIRE_PROTOCOLS.includes(protocol)) {
    throw new ChaukasValidationError("protocol", `expected one of ${WIRE_PROTOCOLS.join(", ")}`);
  }
  const url = parseBaseUrl(options.baseUrl);
  if (options.tls !== undefined && url.protocol !== "https:") {
    throw new ChaukasValidationError(
      "tls",
      "expected an https: baseUrl when TLS options are given",
    );
  }

  const interceptors: Interceptor[] = [
    ...createRequestHeaderInterceptors(options),
    ...(options.interceptors ?? []),
  ];
  // Innermost, so the user's interceptors and the client's retry see Unavailable too.
  interceptors.push(createConnectionLossInterceptor());

  const keepAlive = { ...NODE_TRANSPORT_DEFAULTS.keepAlive, ...options.keepAlive };
  const common = {
    baseUrl: options.baseUrl,
    interceptors,
    defaultTimeoutMs: options.timeoutMs ?? NODE_TRANSPORT_DEFAULTS.timeoutMs,
    compressMinBytes: options.compressMinBytes ?? NODE_TRANSPORT_DEFAULTS.compressMinBytes,
    ...((options.compression ?? NODE_TRANSPORT_DEFAULTS.compression) === "gzip"
      ? { sendCompression: compressionGzip }
      : {}),
  };
  const tls = tlsNodeOptions(options.tls);
  const useHttp2 =
    protocol === "grpc" || (options.httpVersion ?? NODE_TRANSPORT_DEFAULTS.httpVersion) === "2";
  const http = useHttp2
    ? {
        httpVersion: "2" as const,
        // Our own session manager, so a backend going away cannot crash the process (see
        // guarded-http2-session-manager.ts); it takes the keep-alive and TLS options itself.
        sessionManager: createGuardedHttp2SessionManager(
          options.baseUrl,
          {
            pingIntervalMs: keepAlive.pingIntervalMs,
            pingTimeoutMs: keepAlive.pingTimeoutMs,
            idleConnectionTimeoutMs: keepAlive.idleTimeoutMs,
          },
          tls,
        ),
      }
    : { httpVersion: "1.1" as const, ...(tls !== undefined ? { nodeOptions: tls } : {}) };

  // The generated encoder takes about half of toBinary's time (bench/README.md, "Encoding
  // spike"); on Node its size does not matter, so every Node transport carries it.
  return withEventEncoder(
    withCallDeadline(protocolTransport(), common.defaultTimeoutMs),
    encodeEventList,
  );

  function protocolTransport(): Transport {
    switch (protocol) {
      case "rest":
        return createRestTransport({
          baseUrl: options.baseUrl,
          defaultTimeoutMs: common.defaultTimeoutMs,
          interceptors,
          fetch: createNodeHttpFetch(
            createNodeHttpClient(
              http.httpVersion === "2"
                ? { httpVersion: "2", sessionProvider: () => http.sessionManager }
                : http,
            ),
          ),
        });
      case "grpc":
        return createGrpcTransport({ ...common, ...http });
      case "connect":
        return createConnectTransport({ ...common, ...http });
      case "grpc-web":
        return createGrpcWebTransport({ ...common, ...http });
    }
  }
}

function parseBaseUrl(baseUrl: string): URL {
  const url = URL.canParse(baseUrl) ? new URL(baseUrl) : undefined;
  if (url?.protocol !== "http:" && url?.protocol !== "https:") {
    throw new ChaukasValidationError("baseUrl", "expected an absolute http: or https: URL");
  }
  return url;
}

function tlsNodeOptions(tls: NodeTransportTlsOptions | undefined) {
  if (tls === undefined) {
    return undefined;
  }
  return {
    rejectUnauthorized: tls.rejectUnauthorized ?? true,
    ...(tls.ca !== undefined ? { ca: tls.ca as string | Buffer | (string | Buffer)[] } : {}),
    ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
    ...(tls.key !== undefined ? { key: tls.key } : {}),
  };
}
