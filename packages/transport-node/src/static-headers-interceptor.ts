import type { Interceptor } from "@connectrpc/connect";
import { assertHeaderName, assertHeaderValue } from "./header-rules.js";

/** Adds fixed headers to every call; names and values are checked once, here. */
export function createStaticHeadersInterceptor(
  headers: Readonly<Record<string, string>>,
): Interceptor {
  const entries = Object.entries(headers);
  for (const [name, value] of entries) {
    assertHeaderName(`headers.${name}`, name);
    assertHeaderValue(`headers.${name}`, value);
  }
  return (next) => (request) => {
    for (const [name, value] of entries) {
      request.header.set(name, value);
    }
    return next(request);
  };
}
