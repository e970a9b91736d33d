import { timingSafeEqual } from "node:crypto";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/**
 * Checks an `authorization` header value against `Bearer <apiKey>`: undefined when it matches,
 * else the UNAUTHENTICATED error to answer. The key is compared in constant time and never
 * appears in an error message or log line.
 */
export type ApiKeyCheck = (authorization: string | null | undefined) => ConnectError | undefined;

/** The one check of the API key, for RPC calls (`createAuthInterceptor`) and HTTP routes alike. */
export function createApiKeyCheck(apiKey: string): ApiKeyCheck {
  const expected = Buffer.from(`Bearer ${apiKey}`);
  return (given) => {
    if (given === null || given === undefined) {
      return new ConnectError("missing authorization: Bearer <api key>", Code.Unauthenticated);
    }
    const actual = Buffer.from(given);
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
      return new ConnectError("the API key is not valid for this server", Code.Unauthenticated);
    }
    return undefined;
  };
}

/** Requires `authorization: Bearer <apiKey>` on every call. */
export function createAuthInterceptor(apiKey: string): Interceptor {
  const check = createApiKeyCheck(apiKey);
  return (next) => async (req) => {
    const error = check(req.header.get("authorization"));
    if (error !== undefined) throw error;
    return next(req);
  };
}
