import { timingSafeEqual } from "node:crypto";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/**
 * Requires `authorization: Bearer <apiKey>` on every call. The key is compared in constant
 * time and never appears in an error message or log line.
 */
export function createAuthInterceptor(apiKey: string): Interceptor {
  const expected = Buffer.from(`Bearer ${apiKey}`);
  return (next) => async (req) => {
    const given = req.header.get("authorization");
    if (given === null) {
      throw new ConnectError("missing authorization: Bearer <api key>", Code.Unauthenticated);
    }
    const actual = Buffer.from(given);
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
      throw new ConnectError("the API key is not valid for this server", Code.Unauthenticated);
    }
    return next(req);
  };
}
