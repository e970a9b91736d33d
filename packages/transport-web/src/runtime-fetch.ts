import { KEEPALIVE_BUDGET_BYTES } from "@chaukas/client";

/**
 * The request header by which the web transport's interceptor marks a call for keepalive (fetch
 * cannot see Connect's context values). `createRuntimeFetch` removes it before the request leaves.
 */
export const KEEPALIVE_MARK_HEADER = "x-chaukas-keepalive";

/**
 * Wraps the fetch that connect-web calls so one transport works in every fetch runtime:
 * - A call marked with `KEEPALIVE_MARK_HEADER` (page hide / unload) goes with `keepalive: true`,
 *   so it outlives the page. One that would push the bodies in flight past
 *   `KEEPALIVE_BUDGET_BYTES` goes without keepalive instead: the browser would reject it, while
 *   a plain fetch still completes whenever the page lives on (hidden, not closed).
 * - Cloudflare workerd throws on `redirect: "error"` (connect-web's setting) and documents
 *   `"manual"` instead; a 3xx then fails the call on its status, which is what "error" meant.
 * The global fetch is looked up per call, not captured, so polyfills installed later still
 * apply; and it is called unbound, as browsers require for `window.fetch`.
 */
export function createRuntimeFetch(
  customFetch: typeof globalThis.fetch | undefined,
): typeof globalThis.fetch {
  let keepaliveBytesInFlight = 0;
  return async (input, init = {}) => {
    const fetchImpl = customFetch ?? globalThis.fetch;
    const headers = new Headers(init.headers);
    const marked = headers.has(KEEPALIVE_MARK_HEADER);
    headers.delete(KEEPALIVE_MARK_HEADER);
    const options: RequestInit = { ...init, headers };
    // Cloudflare's documented way to detect the Workers runtime.
    if (init.redirect === "error" && globalThis.navigator?.userAgent === "Cloudflare-Workers") {
      options.redirect = "manual";
    }
    // connect-web sends unary bodies as Uint8Array; anything else (streams) cannot be keepalive.
    const body = init.body;
    const size = body == null ? 0 : body instanceof Uint8Array ? body.byteLength : Infinity;
    if (!marked || keepaliveBytesInFlight + size > KEEPALIVE_BUDGET_BYTES) {
      return fetchImpl(input, options);
    }
    keepaliveBytesInFlight += size;
    try {
      return await fetchImpl(input, { ...options, keepalive: true });
    } finally {
      keepaliveBytesInFlight -= size;
    }
  };
}
