/** The one home of request headers: every user-supplied header is checked here and set by these interceptors. */
import type { Interceptor } from "@connectrpc/connect";
import { childPath } from "../validation/field-path.js";
import { ChaukasValidationError } from "../validation/validation-error.js";

// RFC 9110 token characters: what an HTTP field name may contain (and what fetch accepts).
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// CR and LF would let a value start a new header line (header injection); NUL is never valid.
const FORBIDDEN_IN_VALUE = /[\r\n\0]/;

/**
 * Throws a `ChaukasValidationError` naming `option` unless `value` is a string that can travel
 * as a header value. The message never repeats the value, which may be a secret.
 */
export function assertHeaderValue(option: string, value: unknown): asserts value is string {
  if (typeof value !== "string") {
    throw new ChaukasValidationError(option, "expected a string");
  }
  if (FORBIDDEN_IN_VALUE.test(value)) {
    throw new ChaukasValidationError(
      option,
      "expected a header value without CR, LF or NUL characters",
    );
  }
}

/** Throws a `ChaukasValidationError` naming `option` unless `name` is an HTTP field name. */
export function assertHeaderName(option: string, name: string): void {
  if (!HEADER_NAME.test(name)) {
    throw new ChaukasValidationError(
      option,
      "expected an HTTP header name (letters, digits, -_.!#$%&'*+^`|~)",
    );
  }
}

/**
 * Sends `authorization: Bearer <apiKey>` with every call. The key lives only in this closure:
 * it is not reachable from the transport object, its JSON or its string form.
 */
export function createBearerAuthInterceptor(apiKey: string): Interceptor {
  assertHeaderValue("apiKey", apiKey);
  const value = `Bearer ${apiKey}`;
  return (next) => (request) => {
    request.header.set("authorization", value);
    return next(request);
  };
}

/**
 * The one check of user-supplied request headers, on every path that sends them (transports,
 * the Connect exporter, the OTLP exporter): each name must be an HTTP field name and each value a
 * string without CR, LF or NUL, or a `ChaukasValidationError` names it (`headers["x-team"]`).
 * Returns the headers as `[name, value]` pairs, a `HeadersInit` connect and fetch take.
 */
export function checkRequestHeaders(
  option: string,
  headers: HeadersInit | Readonly<Record<string, string>> | undefined,
): [string, string][] {
  if (headers === undefined) return [];
  if (typeof headers !== "object" || headers === null) {
    throw new ChaukasValidationError(option, "expected an object of header names and values");
  }
  const entries: [string, string][] = [];
  const pairs =
    headers instanceof Headers || Array.isArray(headers)
      ? [...(headers as Iterable<[string, string]>)]
      : Object.entries(headers);
  for (const pair of pairs) {
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new ChaukasValidationError(option, "expected [name, value] pairs");
    }
    const [name, value] = pair as [unknown, unknown];
    const field = childPath(option, String(name));
    if (typeof name !== "string") throw new ChaukasValidationError(field, "expected a string name");
    assertHeaderName(field, name);
    assertHeaderValue(field, value);
    entries.push([name, value]);
  }
  return entries;
}

/** Adds fixed headers to every call; names and values are checked once, here. */
function createStaticHeadersInterceptor(headers: Readonly<Record<string, string>>): Interceptor {
  const entries = checkRequestHeaders("headers", headers);
  return (next) => (request) => {
    for (const [name, value] of entries) {
      request.header.set(name, value);
    }
    return next(request);
  };
}

/** The header options both transports take. */
export interface RequestHeaderOptions {
  /** Sent as `authorization: Bearer <apiKey>`. Default: none. */
  readonly apiKey?: string | undefined;
  /** Extra headers on every call. Default: none. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/**
 * The interceptors that put a transport's `apiKey` and `headers` on every call, checked when
 * the transport is created: a CR/LF smuggled into a key or value fails there, naming the
 * option, instead of as an opaque error on the first export. `apiKey` and an `authorization`
 * header together are refused (which one should win is not for us to guess).
 */
export function createRequestHeaderInterceptors(options: RequestHeaderOptions): Interceptor[] {
  const { apiKey, headers } = options;
  const interceptors: Interceptor[] = [];
  if (apiKey !== undefined) {
    const authorization = Object.keys(headers ?? {}).find(
      (name) => name.toLowerCase() === "authorization",
    );
    if (authorization !== undefined) {
      throw new ChaukasValidationError(
        childPath("headers", authorization),
        "expected either apiKey or an authorization header, not both",
      );
    }
    interceptors.push(createBearerAuthInterceptor(apiKey));
  }
  if (headers !== undefined) {
    interceptors.push(createStaticHeadersInterceptor(headers));
  }
  return interceptors;
}
