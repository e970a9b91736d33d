import { keepaliveContextKey } from "@chaukas/client";
import type { Interceptor, Transport } from "@connectrpc/connect";
import { createRequestHeaders } from "./request-headers.js";
import { createRuntimeFetch } from "./runtime-fetch.js";
import type { WebTransportOptions } from "./web-transport.js";

/**
 * Makes one connect-web transport from the options the web transport resolved:
 * `createConnectTransport` or `createGrpcWebTransport` from `@connectrpc/connect-web` fit.
 */
export type WebTransportFactory = (options: {
  baseUrl: string;
  useBinaryFormat: boolean;
  defaultTimeoutMs: number;
  interceptors: Interceptor[];
  fetch: typeof globalThis.fetch;
}) => Transport;

/** The defaults of `WebTransportOptions`, in one place so docs and code agree. */
export const WEB_TRANSPORT_DEFAULTS = {
  protocol: "connect",
  useBinaryFormat: true,
  timeoutMs: 30_000,
} as const satisfies Partial<WebTransportOptions>;

/**
 * The web transport around a given protocol factory: header/auth interceptor, deadline, and
 * a second transport for calls marked with `keepaliveContextKey`. It names no protocol
 * itself, so a bundle contains only the protocol the page passes in.
 */
export function createFetchTransport(
  options: Omit<WebTransportOptions, "protocol">,
  factory: WebTransportFactory,
): Transport {
  const baseUrl = options.baseUrl;
  if (typeof baseUrl !== "string" || baseUrl === "") {
    throw new TypeError("baseUrl is required, e.g. http://127.0.0.1:50051");
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
  const createFor = (keepalive: boolean) =>
    factory({
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
