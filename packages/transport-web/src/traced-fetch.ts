import {
  type ChaukasClient,
  ChaukasValidationError,
  type SpanContext,
  type SpanScope,
} from "@chaukas/client";
import { inject } from "@chaukas/client/propagation";
import {
  createPropagationMatcher,
  ownLocation,
  ownOrigin,
  type PropagationTarget,
  parseUrl,
} from "./propagation-targets.js";

/** Options of `createTracedFetch`. */
export interface TracedFetchOptions {
  /**
   * Where trace context is sent (`traceparent`, and `baggage` with the session id): origins
   * (`"https://api.example.com"`, matched exactly), URL prefixes (`"https://api.example.com/agent/"`)
   * or RegExps tested against the full URL. A request anywhere else goes out untouched, so ids
   * never leak to third parties. Each listed server must allow the `traceparent` and `baggage`
   * request headers in CORS when it is on another origin than the page.
   * Default: the page's own origin in a browser (or web worker); nowhere outside browsers.
   */
  readonly propagateTo?: readonly PropagationTarget[];
  /** The fetch that sends the request. Default: `globalThis.fetch`, looked up on every call. */
  readonly fetch?: typeof globalThis.fetch;
}

/** The `init` of a traced fetch: a `RequestInit`, and optionally the span to propagate. */
export interface TracedRequestInit extends RequestInit {
  /**
   * The span whose context the request carries (a handle such as `session` or `tool`, or its
   * `context`). Default: the active span at the time of the call (`chaukas.current()`).
   */
  readonly span?: SpanScope | SpanContext | undefined;
}

/** A fetch that carries the caller's trace context to the servers `propagateTo` allows. */
export type TracedFetch = (input: RequestInfo | URL, init?: TracedRequestInit) => Promise<Response>;

/**
 * A fetch that writes the active span (or `init.span`) into requests to `propagateTo` as W3C
 * `traceparent` and `baggage` (`chaukas.session_id`, merged into the caller's own baggage), for
 * the server to continue with `continueFromRequest`:
 * ```ts
 * const tracedFetch = createTracedFetch(chaukas, { propagateTo: ["https://api.example.com"] });
 * const response = await tracedFetch("https://api.example.com/chat", { method: "POST", body, span: session });
 * ```
 * The decision and the headers are made synchronously when it is called, so
 * `session.run(() => tracedFetch(url))` works with any context manager. The caller's `Request`,
 * `init` and headers objects are not changed: the request is sent with a copy of its headers.
 * Works in browsers, edge runtimes, Deno, Bun and Node. Throws `ChaukasValidationError`
 * for an invalid `propagateTo` entry or `fetch`.
 */
export function createTracedFetch(
  chaukas: Pick<ChaukasClient, "current">,
  options: TracedFetchOptions = {},
): TracedFetch {
  const customFetch = options.fetch;
  if (customFetch !== undefined && typeof customFetch !== "function") {
    throw new ChaukasValidationError("fetch", "expected a fetch function");
  }
  const origin = ownOrigin();
  const allowed = createPropagationMatcher(
    options.propagateTo ?? (origin === undefined ? [] : [origin]),
  );
  return (input, init) => {
    // Looked up per call, not captured, so a fetch polyfilled or mocked later still applies;
    // called unbound, as browsers require for `window.fetch`.
    const fetchImpl = customFetch ?? globalThis.fetch;
    const { span, ...requestInit } = init ?? {};
    const url = urlOf(input);
    if (url === undefined || !allowed(url)) {
      // Untouched, unless our own option has to come off.
      if (init === undefined || init === null) return fetchImpl(input);
      return fetchImpl(input, Object.hasOwn(init, "span") ? requestInit : init);
    }
    // Fetch takes `init.headers` over the Request's own, so the copy starts from the same.
    const headers = new Headers(
      requestInit.headers ?? (isRequest(input) ? input.headers : undefined),
    );
    inject(headers, span ?? chaukas.current());
    return fetchImpl(input, { ...requestInit, headers });
  };
}

function isRequest(input: RequestInfo | URL): input is Request {
  return typeof input === "object" && !(input instanceof URL);
}

/**
 * Where a request goes, resolved as fetch resolves it (against the document's base URL in a
 * page), or `undefined` when it cannot be resolved: fetch then fails on its own, untraced.
 */
function urlOf(input: RequestInfo | URL): URL | undefined {
  if (input instanceof URL) return input;
  const href = isRequest(input) ? input.url : String(input);
  const locationHref = ownLocation()?.href;
  const base =
    globalThis.document?.baseURI ?? (typeof locationHref === "string" ? locationHref : undefined);
  return parseUrl(href, base);
}
