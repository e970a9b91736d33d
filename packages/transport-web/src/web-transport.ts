import { keepaliveContextKey } from "@chaukas/client";
import type { Interceptor, Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { createRequestHeaders } from "./request-headers.js";
import { createRuntimeFetch } from "./runtime-fetch.js";

/** The wire protocols a fetch runtime can speak to a Chaukas backend. */
export type WebProtocol = "connect" | "grpc-web";

/** Options of `createWebTransport()`. */
export interface WebTransportOptions {
  /** The backend's base URL, e.g. `"https://ingest.example.com"` or `"http://127.0.0.1:50051"`. Required. */
  readonly baseUrl: string;
  /** Wire protocol. Default `"connect"`. */
  readonly protocol?: WebProtocol;
  /** Protobuf binary (smaller, no JSON registry in the bundle) or JSON bodies. Default `true`. */
  readonly useBinaryFormat?: boolean;
  /** Sent as `authorization: Bearer <apiKey>` on every call. Default: none. */
  readonly apiKey?: string;
  /** Extra headers on every call; values must not contain CR/LF. Default: none. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Per-call deadline in milliseconds; a call's own `timeoutMs` wins. Default `30000`. */
  readonly timeoutMs?: number;
  /** The fetch implementation to call. Default: `globalThis.fetch`, looked up per call. */
  readonly fetch?: typeof globalThis.fetch;
  /** Connect interceptors, outermost first, run after the auth/header interceptor. Default: none. */
  readonly interceptors?: readonly Interceptor[];
}

/** The defaults of `WebTransportOptions`, in one place so docs and code agree. */
export const WEB_TRANSPORT_DEFAULTS = {
  protocol: "connect",
  useBinaryFormat: true,
  timeoutMs: 30_000,
} as const satisfies Partial<WebTransportOptions>;

/**
 * A Connect `Transport` over fetch for browsers and edge runtimes (workerd, Deno, Bun, Vercel
 * Edge). Calls whose context values carry `keepaliveContextKey = true` — the client's
 * `flush({ keepalive: true })` on page hide/unload — go out with `fetch(..., { keepalive: true })`
 * so they survive the page.
 */
export function createWebTransport(options: WebTransportOptions): Transport {
  const baseUrl = options.baseUrl;
  if (typeof baseUrl !== "string" || baseUrl === "") {
    throw new TypeError("baseUrl is required, e.g. http://127.0.0.1:50051");
  }
  const protocol = options.protocol ?? WEB_TRANSPORT_DEFAULTS.protocol;
  if (protocol !== "connect" && protocol !== "grpc-web") {
    throw new TypeError(`protocol must be "connect" or "grpc-web", got ${String(protocol)}`);
  }
  const timeoutMs = options.timeoutMs ?? WEB_TRANSPORT_DEFAULTS.timeoutMs;
  if (!(timeoutMs > 0)) {
    throw new TypeError(`timeoutMs must be a positive number, got ${timeoutMs}`);
  }
  const headers = createRequestHeaders(options.apiKey, options.headers);
  const interceptors: Interceptor[] = [...(options.interceptors ?? [])];
  if (headers.length > 0) {
    interceptors.unshift((next) => (req) => {
      for (const [name, value] of headers) {
        req.header.set(name, value);
      }
      return next(req);
    });
  }
  const create = protocol === "grpc-web" ? createGrpcWebTransport : createConnectTransport;
  const createFor = (keepalive: boolean) =>
    create({
      baseUrl,
      useBinaryFormat: options.useBinaryFormat ?? WEB_TRANSPORT_DEFAULTS.useBinaryFormat,
      defaultTimeoutMs: timeoutMs,
      interceptors,
      fetch: createRuntimeFetch(options.fetch, keepalive),
    });
  const regular = createFor(false);
  const keepalive = createFor(true);
  const choose = (contextValues: Parameters<Transport["unary"]>[5]) =>
    contextValues?.get(keepaliveContextKey) === true ? keepalive : regular;
  return {
    unary: (method, signal, timeout, header, input, contextValues) =>
      choose(contextValues).unary(method, signal, timeout, header, input, contextValues),
    stream: (method, signal, timeout, header, input, contextValues) =>
      choose(contextValues).stream(method, signal, timeout, header, input, contextValues),
  };
}
