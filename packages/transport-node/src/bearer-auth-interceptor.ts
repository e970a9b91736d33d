import type { Interceptor } from "@connectrpc/connect";
import { assertHeaderValue } from "./header-rules.js";

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
