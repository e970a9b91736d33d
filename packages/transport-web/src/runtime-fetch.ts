/**
 * What Chromium, Firefox and Safari allow for the bodies of all keepalive requests in flight
 * together; a keepalive fetch past it is rejected outright.
 */
export const KEEPALIVE_BUDGET_BYTES = 64 * 1024;

/**
 * Wraps the fetch that connect-web calls so one transport works in every fetch runtime:
 * - `keepalive: true` lets a request outlive the page that started it (page hide / unload). A
 *   request that would push the bodies in flight past `KEEPALIVE_BUDGET_BYTES` goes without
 *   keepalive instead: the browser would reject it, while a plain fetch still completes whenever
 *   the page lives on (hidden, not closed).
 * - Cloudflare workerd throws on `redirect: "error"` (connect-web's setting) and documents
 *   `"manual"` instead; a 3xx then fails the call on its status, which is what "error" meant.
 * The global fetch is looked up per call, not captured, so polyfills installed later still
 * apply; and it is called unbound, as browsers require for `window.fetch`.
 */
export function createRuntimeFetch(
  customFetch: typeof globalThis.fetch | undefined,
  keepalive: boolean,
): typeof globalThis.fetch {
  const manualRedirect = isWorkerd();
  let keepaliveBytesInFlight = 0;
  return async (input, init) => {
    const fetchImpl = customFetch ?? globalThis.fetch;
    let options: RequestInit = init ?? {};
    if (manualRedirect && options.redirect === "error") {
      options = { ...options, redirect: "manual" };
    }
    const size = bodySize(options.body);
    if (
      !keepalive ||
      size === undefined ||
      keepaliveBytesInFlight + size > KEEPALIVE_BUDGET_BYTES
    ) {
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

// connect-web sends unary bodies as Uint8Array; anything else (streams) cannot be keepalive.
function bodySize(body: RequestInit["body"]): number | undefined {
  if (body === undefined || body === null) return 0;
  if (body instanceof Uint8Array) return body.byteLength;
  if (typeof body === "string") return new TextEncoder().encode(body).byteLength;
  return undefined;
}

// Cloudflare's documented way to detect the Workers runtime.
function isWorkerd(): boolean {
  return globalThis.navigator?.userAgent === "Cloudflare-Workers";
}
