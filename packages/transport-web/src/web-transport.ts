/** `createWebTransport`: the Connect transport over fetch for browsers and edge runtimes. */
import {
  ChaukasValidationError,
  type TransportWithDeadline,
  type WireProtocol,
} from "@chaukas/client";
import { createRestTransport } from "@chaukas/client/rest";
import type { Interceptor } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import {
  createFetchTransport,
  WEB_TRANSPORT_DEFAULTS,
  type WebTransportFactory,
} from "./fetch-transport.js";

/**
 * The wire protocols a fetch runtime can speak to a Chaukas backend: all but gRPC, which needs
 * HTTP/2 trailers that fetch does not expose. `"rest"` is the spec's public REST API.
 */
export type WebProtocol = Exclude<WireProtocol, "grpc">;

/**
 * The transport of each protocol: connect-web's, and `createRestTransport` for REST. REST is
 * imported statically: loaded with `import()` it would cost every page that imports this
 * package, `createConnectWebTransport` ones included, about 1.3 KB gz (esbuild splits a page's
 * code around any `import()` it can reach, called or not), where statically it costs only pages
 * that use `createWebTransport` or `createChaukasWebClient` (about 3.3 KB gz).
 */
const WEB_PROTOCOL_FACTORIES: Readonly<Record<WebProtocol, WebTransportFactory>> = {
  connect: createConnectTransport,
  "grpc-web": createGrpcWebTransport,
  rest: createRestTransport,
};

/** Options of `createWebTransport()`. */
export interface WebTransportOptions {
  /** The backend's base URL, e.g. `"https://ingest.example.com"` or `"http://127.0.0.1:50051"`. Required. */
  readonly baseUrl: string;
  /**
   * Wire protocol: `"connect"`, `"grpc-web"`, `"rest"` (the spec's public REST API, JSON, for
   * backends that serve only that), or a factory itself (connect-web's `createConnectTransport`
   * / `createGrpcWebTransport`, or `createRestTransport` from `@chaukas/client/rest`).
   * Default `"connect"`. A page that wants only one protocol in its bundle uses
   * `createConnectWebTransport` instead.
   */
  readonly protocol?: WebProtocol | WebTransportFactory;
  /** Protobuf binary (smaller, no JSON registry in the bundle) or JSON bodies; REST is always JSON. Default `true`. */
  readonly useBinaryFormat?: boolean;
  /** Sent as `authorization: Bearer <apiKey>` on every call. Default: none. */
  readonly apiKey?: string;
  /** Extra headers on every call; values must not contain CR/LF. Default: none. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Deadline of each call in milliseconds, exports and queries alike; a call's own `timeoutMs`
   * wins. The client's batch processor cuts an export attempt at the same moment: the one export
   * deadline (the client's `exportTimeoutMs` is a deprecated alias). Default `30000`.
   */
  readonly timeoutMs?: number;
  /** The fetch implementation to call. Default: `globalThis.fetch`, looked up per call. */
  readonly fetch?: typeof globalThis.fetch;
  /** Connect interceptors, outermost first, run after the auth/header interceptor. Default: none. */
  readonly interceptors?: readonly Interceptor[];
}

/**
 * A Connect `Transport` over fetch for browsers and edge runtimes (workerd, Deno, Bun, Vercel
 * Edge). Calls whose context values carry `keepaliveContextKey = true` — the client's
 * `flush({ keepalive: true })` on page hide/unload — go out with `fetch(..., { keepalive: true })`
 * so they survive the page. Every protocol is in the bundle (the choice is made at run time).
 */
export function createWebTransport(options: WebTransportOptions): TransportWithDeadline {
  const protocol = options.protocol ?? WEB_TRANSPORT_DEFAULTS.protocol;
  const factory =
    typeof protocol === "function"
      ? protocol
      : Object.hasOwn(WEB_PROTOCOL_FACTORIES, protocol)
        ? WEB_PROTOCOL_FACTORIES[protocol]
        : undefined;
  if (factory === undefined) {
    const names = Object.keys(WEB_PROTOCOL_FACTORIES).map((name) => JSON.stringify(name));
    throw new ChaukasValidationError(
      "protocol",
      `expected ${names.join(" or ")} or a transport factory, got ${String(protocol)}`,
    );
  }
  return createFetchTransport(options, factory);
}

/**
 * `createWebTransport` for the Connect protocol only: the same options but `protocol`, and
 * no gRPC-web code in the bundle (about 1.5 KB gz less).
 */
export function createConnectWebTransport(
  options: Omit<WebTransportOptions, "protocol">,
): TransportWithDeadline {
  return createFetchTransport(options, createConnectTransport);
}
