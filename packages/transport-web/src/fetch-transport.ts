/** The fetch transport every web protocol shares: header/auth interceptors, the deadline, the keepalive mark. */
import {
  ChaukasValidationError,
  createRequestHeaderInterceptors,
  keepaliveContextKey,
  type TransportWithDeadline,
  withCallDeadline,
} from "@chaukas/client";
import type { Interceptor, Transport } from "@connectrpc/connect";
import { createRuntimeFetch, KEEPALIVE_MARK_HEADER } from "./runtime-fetch.js";
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
 * Marks calls whose context values carry `keepaliveContextKey` with `KEEPALIVE_MARK_HEADER`, the
 * only way to tell the fetch wrapper (fetch cannot see Connect's context values).
 */
const markKeepaliveCalls: Interceptor = (next) => (request) => {
  if (request.contextValues.get(keepaliveContextKey)) {
    request.header.set(KEEPALIVE_MARK_HEADER, "1");
  }
  return next(request);
};

/**
 * The web transport around a given protocol factory: header/auth interceptors, deadline, and
 * the keepalive mark for calls whose context values carry `keepaliveContextKey`. It names no
 * protocol itself, so a bundle contains only the protocol the page passes in.
 */
export function createFetchTransport(
  options: Omit<WebTransportOptions, "protocol">,
  factory: WebTransportFactory,
): TransportWithDeadline {
  const { baseUrl, timeoutMs = WEB_TRANSPORT_DEFAULTS.timeoutMs } = options;
  if (typeof baseUrl !== "string" || baseUrl === "") {
    throw new ChaukasValidationError(
      "baseUrl",
      "expected the backend's URL, e.g. http://127.0.0.1:50051",
    );
  }
  if (!(timeoutMs > 0)) {
    throw new ChaukasValidationError("timeoutMs", `expected a positive number, got ${timeoutMs}`);
  }
  const transport = factory({
    baseUrl,
    useBinaryFormat: options.useBinaryFormat ?? WEB_TRANSPORT_DEFAULTS.useBinaryFormat,
    defaultTimeoutMs: timeoutMs,
    interceptors: [
      // Outermost, so the user's interceptors see the auth header and the keepalive mark
      // (which the fetch wrapper strips before the request leaves).
      ...createRequestHeaderInterceptors(options),
      markKeepaliveCalls,
      ...(options.interceptors ?? []),
    ],
    fetch: createRuntimeFetch(options.fetch),
  });
  // The client's exports read the deadline from here, so it is set once (call-deadline.ts).
  return withCallDeadline(transport, timeoutMs);
}
